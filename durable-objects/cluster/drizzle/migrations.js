import journal from './meta/_journal.json';
import m0000 from './0000_baseline.sql';
import m0001 from './0001_past_assignments.sql';
import m0002 from './0002_events_and_backoff.sql';
import m0003 from './0003_rollouts.sql';
import m0004 from './0004_log_times.sql';
import m0005 from './0005_policies.sql';
import m0006 from './0006_consensus_placement.sql';
import m0007 from './0007_tlog.sql';
import m0008 from './0008_agreements.sql';
import m0009 from './0009_gateway_traffic.sql';
import m0010 from './0010_replicas_node_alloc.sql';

  export default {
    journal,
    migrations: {
      m0000,
m0001,
m0002,
m0003,
m0004,
m0005,
m0006,
m0007,
m0008,
m0009,
m0010
    }
  }
  