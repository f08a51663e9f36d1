/**
 * Owns: one focused case for each general fix the hold-out corpus (test/fixtures/guard-holdout/) called for:
 * assignment forms, secret-named keys, base64-wrapped secrets, token formats, and false alarms.
 */
import { describe, expect, it } from "vitest";
import { scan } from "../../src/guard/scan.js";
import { testPolicy } from "./_policy.js";

// Fake values, assembled so this file holds no secret-shaped literal.
const j = (...parts: string[]) => parts.join("");
const PW = ["Vq8z", "R2mL5x", "P9kT"].join("");
const HEX32 = ["9f2c4e1a7b", "3d5f60819a", "2b4c6d8e0f", "13"].join("");
const HEX40 = `${HEX32}a4b5c6d7`;
const WEBHOOK = ["https://acme.webhook.office.com/webhookb2/", "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9@1c2d3e4f-5061-4728-93a4-b5c6d7e8f901/IncomingWebhook/", HEX32, "/2d3e4f50-6172-4839-a4b5-c6d7e8f90112"].join("");
const KEY_BODY = ["MIIEowIBAAKCAQEAx7Rq2Lp9", "Vn3Ks8Tz1Wm4Yb6Hc0Jd5Fg7Nq", "2Ps9Ux3Ar8Et1Io4Ly6Zk0Mw5Bv"].join("");
const PEM = ["-----BEGIN RSA PRIVATE", " KEY-----\n", KEY_BODY, "\n-----END RSA PRIVATE", " KEY-----\n"].join("");

const rules = (path: string, text: string) => scan(path, Buffer.from(text), testPolicy).map((f) => f.rule);

describe("issue 16 item 1: what the hold-out corpus missed, fixed in general terms", () => {
  it("reads Rust typed constants (`: &str =`, `: &'static str =`)", () => {
    expect(rules("src/main.rs", `const DB_PASSWORD: &str = "${PW}";\n`)).toEqual(["generic-secret"]);
    expect(rules("src/main.rs", `static API_TOKEN: &'static str = "${PW}";\n`)).toEqual(["generic-secret"]);
  });

  it("reads `;Password=…;` and `&password=…` inside a string literal in code", () => {
    expect(rules("Keys.swift", `static let db = "Server=tcp:db,1433;User ID=app;Password=${PW};Encrypt=True;"\n`)).toEqual(["generic-secret"]);
    expect(rules("app/config.py", `URL = 'jdbc:postgresql://pg:5432/app?user=app&password=${PW}'\n`)).toEqual(["generic-secret"]);
  });

  it("knows `<qualifier>_KEY` names that hold secrets and `…_PAT`, but not an account key beside the emulator", () => {
    expect(rules("settings.ini", `[datadog]\ndd_app_key = ${HEX40}\n`)).toEqual(["generic-secret"]);
    expect(rules("config.yaml", `algolia_admin_key: ${HEX32}\n`)).toEqual(["generic-secret"]);
    expect(rules("variables.tf", `variable "azure_devops_pat" {\n  default = "${"k3v7q2m5x8z4n6b2w7c3r5t8y2u4p6s3d7f5g2h8j4l6a3e7i2o5q"}"\n}\n`)).toEqual(["generic-secret"]);
  });

  it("reads npm's `_auth` (base64 of user:password)", () => {
    expect(rules("tools/.npmrc", `//npm.acme.io/:_auth=${Buffer.from(`deploy:${PW}`).toString("base64")}\n`)).toEqual(["generic-secret"]);
  });

  it("counts a dotted value with a random lower-case part (kubeadm bootstrap token), not a dotted name", () => {
    expect(rules("kubeconfig.yaml", `users:\n  - user:\n      token: ${j("vgaokj.", "ms7lr807brgqvuaz")}\n`)).toEqual(["generic-secret"]);
    expect(rules("app.yaml", "auth:\n  token: settings.auth.token\n")).toEqual([]);
  });

  it("finds a private key kept base64-encoded (kubeconfig client-key-data)", () => {
    expect(rules("kubeconfig.yaml", `users:\n  - user:\n      client-key-data: ${Buffer.from(PEM).toString("base64")}\n`)).toEqual(["private-key"]);
    const cert = ["-----BEGIN CERTIFICATE", "-----\n", KEY_BODY, "\n-----END CERTIFICATE-----\n"].join("");
    expect(rules("kubeconfig.yaml", `users:\n  - user:\n      client-certificate-data: ${Buffer.from(cert).toString("base64")}\n`)).toEqual([]);
  });

  it("searches base64 values of a Kubernetes Secret with every detector (a webhook URL, a .dockerconfigjson)", () => {
    const secret = (key: string, value: string) => `apiVersion: v1\nkind: Secret\ndata:\n  ${key}: ${Buffer.from(value).toString("base64")}\n`;
    expect(rules("k8s/s.yaml", secret("teams-url", WEBHOOK))).toEqual(["k8s-secret"]);
    const docker = JSON.stringify({ auths: { "registry.acme.io": { auth: Buffer.from(`ci:${PW}`).toString("base64") } } });
    expect(rules("k8s/s.yaml", secret(".dockerconfigjson", docker))).toEqual(["k8s-secret"]);
    expect(rules("k8s/s.yaml", secret("endpoint", "https://api.acme.io/v1"))).toEqual([]);
  });

  it("accepts `curl -u user:password` whose password holds an @", () => {
    expect(rules("backup.sh", `curl -fsS -u admin:${PW.slice(0, 6)}@9 https://jenkins.acme.io/job/x\n`)).toEqual(["url-password"]);
  });

  it("accepts a short token part of low but random-level entropy (AWS key id)", () => {
    expect(rules("client.go", `Client{\n\tKeyID: "${["ASIA", "X5XCQUUCS5QUEWUU"].join("")}",\n}\n`)).toEqual(["aws-access-key"]);
    expect(rules("client.go", `Client{\n\tKeyID: "${["ASIA", "XXXXYYYYZZZZWWWW"].join("")}",\n}\n`)).toEqual([]);
  });

  it("reads `#` inside an unquoted value as part of it; a `#` starting the value is a comment", () => {
    expect(rules("Dockerfile", `FROM x\nENV ADMIN_PASSWORD=${PW.slice(0, 6)}#8\n`)).toEqual(["generic-secret"]);
    expect(rules("a.yaml", `password: # set in CI\n`)).toEqual([]);
  });

  it("takes a quoted value with an unclosed `(` or a `<` inside it for a literal, not code or a placeholder", () => {
    expect(rules("config.php", `<?php\nreturn ['oci_auth_token' => '${j("P[R(glyW", "P4NfTY-1wmyn")}'];\n`)).toEqual(["generic-secret"]);
    expect(rules("config.php", `<?php\nreturn ['oci_auth_token' => '${j("9k)gFdOTW3m(", "[hBn9:<RSh")}'];\n`)).toEqual(["generic-secret"]);
    expect(rules("config.php", `<?php\nreturn ['api_token' => getToken($cfg)];\n`)).toEqual([]);
  });

  it("takes base64 that starts with `/` for a key, not a file path", () => {
    expect(rules("wg0.conf", `[Interface]\nPrivateKey = ${j("/6qfwq/O6AlRQoEzaQ+", "hFqnpgXkgl+DXT59j8o9tttA=")}\n`)).toEqual(["generic-secret"]);
    expect(rules("app.ini", "[tls]\nprivate_key = /etc/ssl/private/server-2024.key\n")).toEqual([]);
  });

  it("takes a random value whose capitals happen to start runs (`BmBkAry…Vz3ywk`) for a secret, not a camelCase name", () => {
    expect(rules("conftest.py", `os.environ.setdefault("HONEYCOMB_API_KEY", "${j("BmBkAryaxzy", "plaVz3ywkW7")}")\n`)).toEqual(["generic-secret"]);
    expect(rules("a.py", `api_key = "readApiKeyFromVault"\n`)).toEqual([]);
  });

  it("reads a URL password with an unencoded `@` up to the last `@`, as URL parsers do", () => {
    expect(rules("main.go", `const registry = "https://deploy:${j("b6Ji", "@0")}@registry.acme.io/v2/"\n`)).toEqual(["url-password"]);
    expect(rules("config.yaml", `database_url: postgres://app:${j("Qx7v", "@pR9z")}@db:5432/app\n`)).toEqual(["database-url"]);
  });

  it("accepts a 20-character mixed-case token part with no digit, but not words run together", () => {
    expect(rules("compose.yml", `services:\n  a:\n    environment:\n      - ALIBABA_ID=${["LT", "AI", "SwoIOovbLLXKPPzKzNJO"].join("")}\n`)).toEqual(["alibaba-access-key"]);
    expect(rules("a.md", `see ${["LT", "AI", "MyAccessKeyNameHere"].join("")}\n`)).toEqual([]);
  });

  it("has rules for the documented formats of Tencent SecretId, GitLab runner registration and New Relic license keys", () => {
    expect(rules("NOTES.md", `id \`${["AK", "ID", "2UWjJPbvipgRwLAvp0GzhpjpbgOkMSLP"].join("")}\`\n`)).toEqual(["tencent-secret-id"]);
    expect(rules("NOTES.md", `token ${["GR13", "48941", "2GKaI914-DBctm-pqEzA"].join("")}\n`)).toEqual(["gitlab-token"]);
    expect(rules("main.go", `const lic = "${["4d086e673c1537a0d0e1eae5d5eb3550c2ab", "NR", "AL"].join("")}"\n`)).toEqual(["newrelic-key"]);
  });
});

describe("issue 16 item 1: false alarms the hold-out corpus raised", () => {
  it("does not read `KEY=<your-token>` as an XML element whose text is the next line", () => {
    expect(rules(".env.example", "DOCKERHUB_TOKEN=<your-token>\nDB_PASSWORD=<your-token>\nAPI_KEY=REPLACE_ME\n")).toEqual([]);
  });

  it("still takes for code an unquoted call cut at its `)`, and code read between two string literals", () => {
    expect(rules("notes.md", "    const accessToken = res.headers.get(\"authorization\")?.split(\" \")[1];\n")).toEqual([]);
    expect(rules("notes.md", "    token = setTimeout(resolve, timeInMs);\n")).toEqual([]);
    expect(rules("a.test.ts", `expect(open(key, "app2:db:password:"))).toBe("DECRYPT_FAILED");\n`)).toEqual([]);
  });

  it("does not take a CSRF cookie or header for a credential", () => {
    expect(rules("session.txt", `Set-Cookie: csrf-token=${PW}${PW}; Path=/\nX-XSRF-TOKEN: ${PW}${PW}\n`)).toEqual([]);
  });

  it("flags credentials.json by name only when it holds a secret-looking value, not vendors' published examples", () => {
    const examples = `{ "aws_access_key_id": "${["AKIA", "IOSFODNN7EXAMPLE"].join("")}", "aws_secret_access_key": "${["wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYEXAMPLEKEY"].join("")}" }\n`;
    expect(rules("test/fixtures/credentials.json", examples)).toEqual([]);
    expect(rules("credentials.json", `{ "installed": { "refresh_value": "${PW}${PW}" } }\n`)).toContain("secret-file");
  });
});
