/**
 * Owns: `import "sealfile/config"` / `require("sealfile/config")` / `node --import sealfile/config` —
 * fills `process.env` from encrypted files at start-up, like `dotenv/config`.
 *
 * Files: `SECRETS_FILES` (comma separated, relative to the working directory), else `.sops.yaml`'s
 * `exec.files`, else the first of DEFAULT_ENV_FILES that exists (none: nothing happens). Existing
 * variables are overridden, as `secrets exec` does, unless `SECRETS_OVERRIDE=0`.
 *
 * Why a worker: decrypting is asynchronous (age and the KMS clients are promise-based), but a CommonJS
 * `require` must finish synchronously, and so must this module in ESM for the next import to see the
 * variables without top-level await (which the CommonJS build cannot have). So the library runs in a
 * worker thread while this thread blocks in `Atomics.wait`; the result comes back through a
 * MessagePort read with `receiveMessageOnPort`. Secrets stay in memory: no argv, no temp file, no child
 * process. One code path serves ESM and CommonJS.
 */
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker, receiveMessageOnPort } from "node:worker_threads";

/** How long start-up may wait for the decrypt (remote key services retry within their own timeouts). */
const WAIT_MS = 120_000;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { port, flag, lib, files, cwd } = workerData;
(async () => {
  let msg;
  try {
    const api = require(lib);
    const list = files.length > 0 ? files : api.defaultSecretFiles({ cwd });
    msg = { env: list.length > 0 ? await api.loadEnv(list, { cwd, auditCommand: "sealfile/config" }) : {} };
  } catch (e) {
    const known = e && e.name === "SealError";
    msg = { error: { code: known ? e.code : "INTERNAL", message: known ? e.message : "unexpected error while loading secrets", hint: known ? e.hint : undefined } };
  }
  port.postMessage(msg);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
})();
`;

type Reply = { env: Record<string, string> } | { error: { code: string; message: string; hint?: string } };

function loadSync(files: string[], cwd: string): Record<string, string> {
  const lib = fileURLToPath(new URL("./index.cjs", import.meta.url));
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // Not the parent's flags: with `-r`/`--import sealfile/config` the worker would load this module again.
    execArgv: [],
    workerData: { port: port2, flag, lib, files, cwd },
    transferList: [port2],
  });
  try {
    if (Atomics.wait(flag, 0, 0, WAIT_MS) === "timed-out") {
      throw new Error(`sealfile/config: decrypting ${files.join(", ") || "the secrets files"} took longer than ${WAIT_MS / 1000}s`);
    }
    const reply = receiveMessageOnPort(port1)?.message as Reply | undefined;
    if (reply === undefined) throw new Error("sealfile/config: the decrypting worker gave no answer");
    if ("error" in reply) {
      const e = new Error(`sealfile/config: ${reply.error.message}${reply.error.hint ? ` (hint: ${reply.error.hint})` : ""}`) as Error & { code: string };
      e.code = reply.error.code;
      throw e;
    }
    return reply.env;
  } finally {
    port1.close();
    worker.unref();
    void worker.terminate();
  }
}

function configure(): void {
  const files = (process.env.SECRETS_FILES ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  // One rule with `secrets exec`: the secrets win over inherited variables unless told otherwise.
  const override = !/^(0|false|no)$/i.test(process.env.SECRETS_OVERRIDE ?? "");
  const env = loadSync(files, process.cwd());
  for (const [name, value] of Object.entries(env)) {
    if (override || process.env[name] === undefined) process.env[name] = value;
  }
}

configure();
