/**
 * The Durable extension's HTTP API, as the Functions host serves it to the
 * worker (the "rpcBaseUrl" of a durable client binding): start an instance,
 * read an instance's status, list instances by runtime status. Core Tools
 * cannot run here, so the trigger functions' real DurableClient talks to this
 * loopback stand-in; the tests set the instances' statuses themselves.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import azfn from "@azure/functions";
import * as df from "durable-functions";

const { InvocationContext } = azfn;

export interface FakeInstance {
  name: string;
  instanceId: string;
  createdTime: string;
  lastUpdatedTime: string;
  input: unknown;
  output: unknown;
  runtimeStatus: string;
  customStatus: unknown;
}

export interface DurableExtension {
  instances: Map<string, FakeInstance>;
  started: FakeInstance[];
  /** The value the host binds to a function's durable client input. */
  clientData: Record<string, unknown>;
  /** An InvocationContext as the host builds it for a function with a durable client input. */
  context(functionName: string, logs?: string[]): InstanceType<typeof InvocationContext>;
  close(): Promise<void>;
}

export const FUNCTION_KEY = "test-function-key";

export async function startDurableExtension(): Promise<DurableExtension> {
  const instances = new Map<string, FakeInstance>();
  const started: FakeInstance[] = [];
  const server: Server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: String(error) }));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://localhost");
    const send = (status: number, body: unknown): void => {
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent); // durabletask, ...
    if (request.method === "POST" && parts[1] === "orchestrators" && parts[2] !== undefined) {
      const body = await readBody(request);
      const instanceId = parts[3] ?? `generated-${instances.size}`;
      const now = new Date().toISOString();
      const instance: FakeInstance = {
        name: parts[2],
        instanceId,
        createdTime: now,
        lastUpdatedTime: now,
        input: body === "" ? null : (JSON.parse(body) as unknown),
        output: null,
        runtimeStatus: "Pending",
        customStatus: null,
      };
      instances.set(instanceId, instance);
      started.push(instance);
      return send(202, { id: instanceId });
    }
    if (request.method === "GET" && parts[1] === "instances") {
      const id = parts[2];
      if (id !== undefined && id !== "") {
        const instance = instances.get(id);
        return instance ? send(200, instance) : send(404, null);
      }
      const wanted = url.searchParams.get("runtimeStatus")?.split(",");
      return send(200, [...instances.values()].filter((i) => wanted === undefined || wanted.includes(i.runtimeStatus)));
    }
    send(404, { message: `no route ${request.method} ${url.pathname}` });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const webhooks = `http://127.0.0.1:${port}/runtime/webhooks/durabletask`;
  const query = `taskHub=wiscan&connection=Storage&code=${FUNCTION_KEY}`;
  const clientData = {
    taskHubName: "wiscan",
    creationUrls: {
      createNewInstancePostUri: `${webhooks}/orchestrators/{functionName}[/{instanceId}]?code=${FUNCTION_KEY}`,
      createAndWaitOnNewInstancePostUri: `${webhooks}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${FUNCTION_KEY}`,
    },
    managementUrls: {
      id: "INSTANCEID",
      statusQueryGetUri: `${webhooks}/instances/INSTANCEID?${query}`,
      sendEventPostUri: `${webhooks}/instances/INSTANCEID/raiseEvent/{eventName}?${query}`,
      terminatePostUri: `${webhooks}/instances/INSTANCEID/terminate?reason={text}&${query}`,
      rewindPostUri: `${webhooks}/instances/INSTANCEID/rewind?reason={text}&${query}`,
      purgeHistoryDeleteUri: `${webhooks}/instances/INSTANCEID?${query}`,
      restartPostUri: `${webhooks}/instances/INSTANCEID/restart?${query}`,
      suspendPostUri: `${webhooks}/instances/INSTANCEID/suspend?reason={text}&${query}`,
      resumePostUri: `${webhooks}/instances/INSTANCEID/resume?reason={text}&${query}`,
    },
    baseUrl: webhooks,
    requiredQueryStringParameters: `code=${FUNCTION_KEY}`,
    rpcBaseUrl: `http://127.0.0.1:${port}/durabletask/`,
  };

  return {
    instances,
    started,
    clientData,
    context(functionName, logs) {
      const client = df.input.durableClient();
      const context = new InvocationContext({
        functionName,
        invocationId: `${functionName}-test`,
        options: { extraInputs: [client] },
        logHandler: (_level, ...args) => logs?.push(args.map(String).join(" ")),
      });
      context.extraInputs.set(client, clientData);
      return context;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
