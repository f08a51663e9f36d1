/** Owns: plain throwaway git repositories (no age keys, no .sops.yaml) for the git and guard tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gitRunner, initRepo } from "../helpers/git-repo.js";

export interface TempRepo {
  readonly dir: string;
  git(...args: string[]): string;
  write(path: string, content: string | Uint8Array): void;
  cleanup(): void;
}

export function makeRepo(prefix = "sealfile-guard-"): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const git = gitRunner(dir);
  initRepo(git);
  return {
    dir,
    git,
    write(path, content) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
