-- Registry and DID history is append-only like the rest of the ledger: a change is a new version
-- row, never an edit of an old one.
CREATE TRIGGER registry_hosts_no_update BEFORE UPDATE ON registry_hosts
BEGIN SELECT RAISE(ABORT, 'registry_hosts is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER registry_hosts_no_delete BEFORE DELETE ON registry_hosts
BEGIN SELECT RAISE(ABORT, 'registry_hosts is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER did_versions_no_update BEFORE UPDATE ON did_versions
BEGIN SELECT RAISE(ABORT, 'did_versions is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER did_versions_no_delete BEFORE DELETE ON did_versions
BEGIN SELECT RAISE(ABORT, 'did_versions is append-only'); END;
