import { describe, expect, it } from "vitest";
import { scan } from "../../src/guard/scan.js";
import { testPolicy } from "./_policy.js";

// A fake password, assembled so this file holds no secret-shaped literal.
const PW = ["Vq8z", "R2mL5x", "P9kT"].join("");
const SHORT = ["Kp9", "vX2q"].join("");

const found = (path: string, text: string) => scan(path, Buffer.from(text), testPolicy).map((f) => `${f.rule}@${f.line}`);

describe("issue 16 item 1: ways of writing an assignment the generic rule reads", () => {
  const cases: Array<[string, string, string]> = [
    ["Go typed var", "main.go", `var dbPassword string = "${PW}"\n`],
    ["Makefile ::=", "Makefile", `DB_PASSWORD ::= ${PW}\n`],
    ["Makefile :::=", "Makefile", `DB_PASSWORD :::= ${PW}\n`],
    ["Makefile ?=", "Makefile", `DB_PASSWORD ?= ${PW}\n`],
    ["PHP .=", "a.php", `<?php\n$password .= "${PW}";\n`],
    ["Java System.setProperty", "A.java", `class A { static { System.setProperty("X_TOKEN", "${PW}"); } }\n`],
    ["XML element, value on the next line", "app.xml", `<config>\n  <password>\n    ${PW}\n  </password>\n</config>\n`],
    ["curl -u", "deploy.sh", `curl -u deploy:${PW} https://api.service.io\n`],
    ["URL with a short password", "a.yaml", `upstream: https://ci:${SHORT}x@registry.internal/v2\n`],
    ["nuget ClearTextPassword", "nuget.config", `<packageSourceCredentials><feed>\n<add key="ClearTextPassword" value="${PW}" />\n</feed></packageSourceCredentials>\n`],
    ["Terraform password", "main.tf", `resource "db" "x" {\n  password = "${PW}"\n}\n`],
    ["Kubernetes kind: secret (lower case)", "k8s.yaml", `kind: secret\ndata:\n  password: ${Buffer.from(PW).toString("base64")}\n`],
    ["Dockerfile ENV with a space", "Dockerfile", `FROM x\nENV DB_PASSWORD ${PW}\n`],
  ];
  for (const [what, path, text] of cases) {
    it(what, () => {
      expect(found(path, text).length, text).toBeGreaterThan(0);
    });
  }
});

describe("issue 16 item 1: false alarms the issue lists pass", () => {
  const cases: Array<[string, string, string]> = [
    ["csrf-token meta", "index.html", `<meta name="csrf-token" content="${PW}">\n`],
    ["publicToken", "a.ts", `const publicToken = "public-sandbox-${PW}";\n`],
    ["{SumoAccessKey} template", "sumo.yaml", "accessKey: {SumoAccessKey}\n"],
    ["REPLACE_WITH_PASSWORD", ".env.example", "DB_PASSWORD=REPLACE_WITH_PASSWORD\n"],
    ["#### mask", "a.ini", "password = ########\n"],
    ["Maven coordinates", "pom.xml", "<!-- io.jsonwebtoken:jjwt-jackson-0.11.2 -->\n"],
    ["Helm checksum/secret", "values.yaml", `podAnnotations:\n  checksum/secret: ${"3f9a".repeat(16)}\n`],
    ["Firebase documentation sample", "firebase.js", 'const c = { apiKey: "AIzaSyDOCAbC123dEf456GhI789jKl01-MnO" };\n'],
    ["setter-less quoted pair in test code", "t.test.ts", 'expectBlocked("github-token", "src/client.js:1:");\n'],
  ];
  for (const [what, path, text] of cases) {
    it(what, () => {
      expect(found(path, text)).toEqual([]);
    });
  }
});
