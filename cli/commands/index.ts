// The command table, in the order `enc help` lists them.
import type { CommandDef } from "../lib/command.ts";
import audit from "./audit.ts";
import clusterCreate from "./cluster-create.ts";
import clusterShow from "./cluster-show.ts";
import clusterUse from "./cluster-use.ts";
import ledgerBlocks from "./ledger-blocks.ts";
import ledgerSeal from "./ledger-seal.ts";
import ledgerVerify from "./ledger-verify.ts";
import nodes from "./nodes.ts";
import receiptsShow from "./receipts-show.ts";
import roles from "./roles.ts";
import rolesGrant from "./roles-grant.ts";
import rolesRevoke from "./roles-revoke.ts";
import tokenCreate from "./token-create.ts";
import walletNew from "./wallet-new.ts";
import walletShow from "./wallet-show.ts";

export const COMMANDS: readonly CommandDef[] = [
  walletNew,
  walletShow,
  clusterCreate,
  clusterShow,
  clusterUse,
  tokenCreate,
  nodes,
  roles,
  rolesGrant,
  rolesRevoke,
  receiptsShow,
  ledgerBlocks,
  ledgerSeal,
  ledgerVerify,
  audit,
] as CommandDef[];
