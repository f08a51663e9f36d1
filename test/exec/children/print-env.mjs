// Prints the whole environment as JSON, or only the names given as arguments.
const names = process.argv.slice(2);
const out = names.length ? Object.fromEntries(names.map((n) => [n, process.env[n] ?? null])) : { ...process.env };
process.stdout.write(JSON.stringify(out));
