// The runtime's size: the part of a generated module after its "remotipy runtime" line (the same in
// every module), as TypeScript, minified by esbuild, and minified then gzipped (level 9).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";

const [module_, nodeModules] = process.argv.slice(2);
const esbuild = createRequire(`${nodeModules}/`)("esbuild");
const text = readFileSync(module_, "utf8");
const runtime = text.slice(text.indexOf("// ---- remotipy runtime"));
const report = (what, source) => {
  const { code } = esbuild.transformSync(source, { loader: "ts", minify: true, format: "esm", target: "es2022" });
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`  ${what.padEnd(22)} ${source.length} B as TypeScript, ${code.length} B minified, ${gzipped} B minified + gzipped (${(gzipped / 1024).toFixed(2)} KiB)`);
};
console.log("\nsize (esbuild --minify, gzip -9)");
report("runtime", runtime);
report("example module, whole", text);
