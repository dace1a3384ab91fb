import { nodeModeCommand } from "../lib/node-mode.ts";

export default nodeModeCommand("cordon");
