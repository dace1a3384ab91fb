import journal from './meta/_journal.json';
import m0000 from './0000_baseline.sql';
import m0001 from './0001_pending_age.sql';
import m0002 from './0002_tlog.sql';
import m0003 from './0003_partial_indexes.sql';
import m0004 from './0004_body_jcs.sql';
import m0005 from './0005_block_ranges.sql';
import m0006 from './0006_receipt_leaf_hash.sql';

  export default {
    journal,
    migrations: {
      m0000,
m0001,
m0002,
m0003,
m0004,
m0005,
m0006
    }
  }
  