/** Owns: `secrets keygen` — a new age identity in a 0600 file (never overwritten); prints the recipient. */
import { closeSync, constants, openSync, writeSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { SealError } from "../../errors.js";
import { loadAge } from "../../keys/age.js";
import { defaultKeysPath } from "../../keys/age-identities.js";
import { makeKeyContext } from "../../ops/key-context.js";
import type { CliContext } from "../context.js";
import type { GlobalArgs } from "../globals.js";

type Args = GlobalArgs & { output?: string; pq?: boolean; stdout?: boolean };

export function keygenCommand(ctx: CliContext): CommandModule<GlobalArgs, Args> {
  return {
    command: "keygen",
    describe: "generate an age identity (private key) and print its recipient (public key)",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .options({
          output: { alias: "o", type: "string", describe: "identity file to create (default: ~/.config/sops/age/keys.txt)" },
          pq: { type: "boolean", describe: "post-quantum hybrid key (age1pq1…)" },
        })
        .example("$0 keygen -o keys.txt", "create keys.txt (mode 0600) and print the recipient")
        .example("SOPS_AGE_KEY_FILE=keys.txt $0 decrypt secrets.enc.yaml", "use it") as unknown as Argv<Args>,
    handler: async (args) => {
      const path = resolve(ctx.cwd, args.output ?? defaultKeysPath(makeKeyContext(ctx.env)));
      const age = await loadAge();
      const identity = args.pq ? await age.generateHybridIdentity() : await age.generateX25519Identity();
      const recipient = await age.identityToRecipient(identity);
      const text = `# created: ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}\n# public key: ${recipient}\n${identity}\n`;
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      let fd: number;
      try {
        fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") {
          throw new SealError("CANNOT_WRITE_OUTPUT", `${path} already exists; refusing to overwrite an identity`, { hint: "choose another path with -o" });
        }
        throw new SealError("CANNOT_WRITE_OUTPUT", `cannot create ${path} (${(e as NodeJS.ErrnoException).code ?? "error"})`);
      }
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      ctx.stderr.write(`Public key: ${recipient}\nIdentity written to ${path}\n`);
      ctx.stdout.write(`${recipient}\n`);
    },
  };
}
