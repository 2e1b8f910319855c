/**
 * An Azurite table service of a test's own that keeps its data on disk and can
 * be stopped and started again on the same port: the shared launcher with a
 * --location, which it stops with SIGINT, the one signal on which azurite-table
 * saves its database (SIGTERM would lose up to five seconds of writes, which
 * would be Azurite's loss, not ours).
 */
import { startAzurite } from "../../simulator/azurite.js";

export interface PersistentAzurite {
  connectionString: string;
  stop(): Promise<void>;
}

export async function startPersistentAzurite(location: string, port: number): Promise<PersistentAzurite> {
  const azurite = await startAzurite({ location, port });
  return { connectionString: azurite.connectionString, stop: () => azurite.stop() };
}
