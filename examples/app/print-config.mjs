// The example app: reads its configuration from the environment, as most apps do, and proves it got it
// (without printing the secrets themselves).
const wanted = ["DATABASE_HOST", "DATABASE_USER", "DATABASE_PASSWORD", "DATABASE_PORT", "API_TOKEN"];
for (const name of wanted) {
  const v = process.env[name];
  const shown = v === undefined ? "(missing)" : /PASSWORD|TOKEN/.test(name) ? `${"*".repeat(Math.min(v.length, 8))} (${v.length} chars)` : v;
  console.log(`${name.padEnd(18)} ${shown}`);
}
process.exitCode = wanted.every((n) => process.env[n] !== undefined) ? 0 : 1;
