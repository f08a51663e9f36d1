// A key on a very long line (minified code) is judged by the same end of line as on a short one: the guard
// looks back a bounded window before each key, never to the start of a 100 KB line (that was quadratic).
import { describe, expect, it } from "vitest";
import { scan } from "../../src/guard/scan.js";
import { testPolicy } from "./_policy.js";

const VALUE = "Zq8xK2mQ9vT4wL7nB3cY6hJ1";
const MINIFIED = "var a=b.c(d,e);".repeat(8000); // 120 KB on one line, no findings of its own
const found = (path: string, text: string): string[] => scan(path, Buffer.from(text), testPolicy).map((f) => `${f.rule}@${f.line}`);

describe("issue 16: keys at the end of a long line", () => {
  const sameLine: Array<[string, string, string]> = [
    ["a setter call", "app.go", `os.Setenv("DB_PASSWORD", "${VALUE}")\n`],
    ["an XML key/value pair", "web.config", `<add key="ApiSecret" value="${VALUE}" />\n`],
    ["a Terraform variable default", "main.tf", `variable "db_password" { default = "${VALUE}" }\n`],
    ["a Kubernetes env entry", "deploy.yaml", `- name: DB_PASSWORD\n  value: "${VALUE}"\n`],
  ];
  for (const [what, path, snippet] of sameLine) {
    it(`${what}: found alone, and found after 120 KB of minified code on its line`, () => {
      const alone = found(path, snippet);
      expect(alone.length, what).toBeGreaterThan(0);
      expect(found(path, `${MINIFIED}${snippet}`)).toEqual(alone);
    });
  }

  it("a Dockerfile ENV line after a 120 KB line is found as at the top of the file", () => {
    const snippet = `ENV API_TOKEN ${VALUE}\n`;
    const alone = found("Dockerfile", snippet);
    expect(alone.length).toBeGreaterThan(0);
    expect(found("Dockerfile", `# ${MINIFIED}\n${snippet}`)).toEqual(alone.map((f) => f.replace(/@1$/, "@2")));
  });

  it("the minified code alone has no finding", () => {
    expect(found("app.min.js", MINIFIED)).toEqual([]);
  });
});
