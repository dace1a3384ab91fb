// The command table, in the order `enc help` lists them.
import type { CommandDef } from "../lib/command.ts";
import audit from "./audit.ts";
import cacheClear from "./cache-clear.ts";
import cacheStats from "./cache-stats.ts";
import clusterCreate from "./cluster-create.ts";
import clusterShow from "./cluster-show.ts";
import clusterUse from "./cluster-use.ts";
import deploy from "./deploy.ts";
import didCreate from "./did-create.ts";
import didDeactivate from "./did-deactivate.ts";
import didShow from "./did-show.ts";
import didUpdate from "./did-update.ts";
import health from "./health.ts";
import ledgerBlocks from "./ledger-blocks.ts";
import ledgerSeal from "./ledger-seal.ts";
import ledgerVerify from "./ledger-verify.ts";
import logs from "./logs.ts";
import metrics from "./metrics.ts";
import monitor from "./monitor.ts";
import nodes from "./nodes.ts";
import nodesCordon from "./nodes-cordon.ts";
import nodesDrain from "./nodes-drain.ts";
import nodesUncordon from "./nodes-uncordon.ts";
import ps from "./ps.ts";
import receiptsList from "./receipts-list.ts";
import receiptsShow from "./receipts-show.ts";
import replay from "./replay.ts";
import registryRm from "./registry-rm.ts";
import registrySet from "./registry-set.ts";
import registryShow from "./registry-show.ts";
import resolve from "./resolve.ts";
import rm from "./rm.ts";
import roles from "./roles.ts";
import rolesGrant from "./roles-grant.ts";
import rolesRevoke from "./roles-revoke.ts";
import scale from "./scale.ts";
import tokenCreate from "./token-create.ts";
import walletNew from "./wallet-new.ts";
import walletShow from "./wallet-show.ts";
import zkProve from "./zk-prove.ts";
import zkVerify from "./zk-verify.ts";

export const COMMANDS: readonly CommandDef[] = [
  walletNew,
  walletShow,
  clusterCreate,
  clusterShow,
  clusterUse,
  tokenCreate,
  nodes,
  nodesCordon,
  nodesDrain,
  nodesUncordon,
  deploy,
  ps,
  scale,
  logs,
  rm,
  metrics,
  health,
  monitor,
  roles,
  rolesGrant,
  rolesRevoke,
  receiptsShow,
  receiptsList,
  replay,
  ledgerBlocks,
  ledgerSeal,
  ledgerVerify,
  audit,
  resolve,
  registrySet,
  registryShow,
  registryRm,
  didCreate,
  didShow,
  didUpdate,
  didDeactivate,
  zkProve,
  zkVerify,
  cacheStats,
  cacheClear,
] as CommandDef[];
