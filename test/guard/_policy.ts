/** Owns: a stand-in guard policy for tests — one creation rule and a small sealed-file inspector. */
import type { GuardPolicy, SealedInspection } from "../../src/guard/types.js";

/** Recognises the sops metadata of YAML, JSON, dotenv and INI files well enough for tests. */
export function inspectSealedStub(path: string, bytes: Uint8Array): SealedInspection {
  const text = Buffer.from(bytes).toString("utf8");
  const hasMac = /(?:^|\n)\s*(?:"mac"|mac|sops_mac)\s*[:=]\s*"?ENC\[AES256_GCM,/.test(text);
  const hasMeta = /(?:^|\n)sops:|"sops":|(?:^|\n)sops_|(?:^|\n)\[sops\]/.test(text);
  if (!hasMeta) return { sealed: false, problem: "no sops metadata" };
  if (!hasMac) return { sealed: false, problem: "sops metadata has no mac" };
  if (!/\.ya?ml$/.test(path)) return { sealed: true };
  // YAML: leaves before `sops:` whose value is not ENC[…] and whose key does not end in _unencrypted.
  const clearValues: string[][] = [];
  const stack: Array<{ indent: number; key: string }> = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("sops:")) break;
    const m = /^(\s*)([\w.-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const indent = (m[1] ?? "").length;
    while (stack.length > 0 && (stack[stack.length - 1]?.indent ?? 0) >= indent) stack.pop();
    const key = m[2] ?? "";
    const value = m[3] ?? "";
    if (value === "") stack.push({ indent, key });
    else if (!value.startsWith("ENC[") && !key.endsWith("_unencrypted")) clearValues.push([...stack.map((s) => s.key), key]);
  }
  // sops `encrypted_regex`: only keys matching it (and what is under them) must be encrypted
  const only = /^\s+encrypted_regex:\s*(\S+)\s*$/m.exec(text.slice(text.indexOf("\nsops:")))?.[1];
  if (only !== undefined) {
    const re = new RegExp(only);
    return { sealed: true, clearValues: clearValues.filter((kp) => kp.some((k) => re.test(k))) };
  }
  return { sealed: true, clearValues };
}

/** Files under `secrets/` ending in .yaml must be sealed (creation_rules[0]). */
export const testPolicy: GuardPolicy = {
  rules: [{ index: 0, pathRegex: /^secrets\/.*\.ya?ml$/ }],
  inspectSealed: inspectSealedStub,
};
