// Parse a GIFT file with the third-party parser gift-pegjs and print what it found as JSON.
// Usage: node gift_parse.mjs FILE  -> {"questions": [{"type", "title", "choices"}...]} or exit 1
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.cwd() + "/");
const { parse } = require("gift-pegjs");
const text = readFileSync(process.argv[2], "utf8");
try {
  const parsed = parse(text);
  const questions = parsed
    .filter((q) => q.type !== "Category")
    .map((q) => ({
      type: q.type,
      title: q.title,
      stem: q.stem.text,
      choices: Array.isArray(q.choices) ? q.choices.length : null,
      pairs: q.matchPairs ? q.matchPairs.length : null,
    }));
  console.log(JSON.stringify({ questions }));
} catch (error) {
  const where = error.location ? `line ${error.location.start.line}` : "unknown place";
  console.error(`gift-pegjs: ${where}: ${error.message}`);
  process.exit(1);
}
