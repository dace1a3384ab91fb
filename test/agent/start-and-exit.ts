// Plays an agent that starts a container and dies: used by cage-run.test.ts to test adoption.
// Usage: tsx test/agent/start-and-exit.ts <dataDir> <id> <image ref> <workload JSON>
import { createFromImage } from "../../node-agent/cage/index.ts";

const [dataDir, id, image, workload] = process.argv.slice(2);
const { container } = await createFromImage({ dataDir: dataDir! }, { id: id!, image: image!, workload: JSON.parse(workload!) });
await container.start();
process.exit(0); // no cleanup: the feeder's fd dies with the process, the shim and container live on
