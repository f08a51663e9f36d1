// Test harness: plays the part of `secrets exec` using the bundled src/exec (path in SEALFILE_EXEC_BUNDLE).
// Its job is described by the JSON in SEALFILE_RUNNER_CONFIG.
import { pathToFileURL } from "node:url";

const cfg = JSON.parse(process.env.SEALFILE_RUNNER_CONFIG ?? "{}");
const bundle = process.env.SEALFILE_EXEC_BUNDLE;
delete process.env.SEALFILE_RUNNER_CONFIG;
delete process.env.SEALFILE_EXEC_BUNDLE;
const ex = await import(pathToFileURL(bundle).href);

const env = ex.buildChildEnv(process.env, cfg.secrets ?? {}, {
  override: cfg.override ?? true,
  pristine: cfg.pristine ?? false,
});
const run = (extra) =>
  ex.runChild({
    command: cfg.command,
    shell: cfg.shell ?? false,
    env: { ...env, ...extra },
    cwd: cfg.cwd ?? process.cwd(),
    stdio: cfg.mask ? { mask: cfg.mask } : "inherit",
  });

try {
  let result;
  if (cfg.fileEnv) {
    const { name, content, fifo, filename, noChild } = cfg.fileEnv;
    result = await ex.withSecretFile({ name, content: Buffer.from(content, "utf8"), fifo, filename }, async (path) => {
      if (noChild === "wait") {
        // No child and no other signal handler: withSecretFile alone must clean up on a signal.
        process.stdout.write(`ready ${path}\n`);
        await new Promise(() => setInterval(() => {}, 1000));
      }
      if (noChild === "exit") {
        process.stdout.write(`ready ${path}\n`);
        process.exit(3);
      }
      return run({ [name]: path });
    });
  } else {
    result = await run({});
  }
  process.exitCode = result.exitCode;
} catch (e) {
  process.stderr.write(`error[${e.code}]: ${e.message}\n`);
  process.exitCode = e.exitCode ?? 1;
}
