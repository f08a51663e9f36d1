/**
 * Owns: the names earlier versions of `.sops.yaml` gave to keys — read from the config's git history
 * (reachable from HEAD), so a diff still names someone after `revoke` took them out of the current config.
 */
import { basename, dirname } from "node:path";
import { isSealError } from "../errors.js";
import { parseConfig, recipientNames } from "../config.js";
import { listHistoryBlobs, readBlobs, type HistoryBlob } from "./history.js";

/**
 * Key → name from every committed version of the config at `configPath` reachable from HEAD, the newest
 * version's name winning. Each version goes through the config parser like the current one; a version that
 * no longer parses is skipped. Empty outside a repository or when git fails: names are a courtesy in a diff.
 */
export async function formerRecipientNames(configPath: string): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const folder = dirname(configPath);
  try {
    const blobs = await listHistoryBlobs(folder, "HEAD", [basename(configPath)]);
    const texts: string[] = [];
    await readBlobs(folder, blobs, (_b: HistoryBlob, content) => {
      if (content !== null) texts.push(content.toString("utf8"));
    });
    // Oldest first from git: read newest first so a later rename of a key wins.
    for (const text of texts.reverse()) {
      let versionNames: Map<string, string>;
      try {
        versionNames = recipientNames(parseConfig(text, configPath));
      } catch (e) {
        if (isSealError(e)) continue;
        throw e;
      }
      for (const [key, name] of versionNames) if (!names.has(key)) names.set(key, name);
    }
  } catch (e) {
    if (!isSealError(e)) throw e;
  }
  return names;
}
