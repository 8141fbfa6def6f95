// Builds the card into the one ES module the integration serves.
//   node build.mjs          write custom_components/audible_tracker/frontend/audible-tracker-card.js
//   node build.mjs --check  fail when the committed file differs from a fresh build
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "custom_components", "audible_tracker", "frontend", "audible-tracker-card.js");
const pkg = JSON.parse(await readFile(join(here, "package.json"), "utf8"));

const result = await build({
  entryPoints: [join(here, "src", "audible-tracker-card.ts")],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  write: false,
  logLevel: "warning",
  banner: {
    js: `// audible-tracker-card ${pkg.version}: generated from frontend/ by \`node frontend/build.mjs\`; do not edit.`,
  },
});
const built = result.outputFiles[0].text;
const shown = relative(process.cwd(), out);

if (process.argv.includes("--check")) {
  const committed = await readFile(out, "utf8").catch(() => "");
  if (committed !== built) {
    console.error(`${shown} differs from a fresh build of frontend/src: run \`node frontend/build.mjs\` and commit it.`);
    process.exit(1);
  }
  console.log(`${shown} matches a fresh build (${built.length} bytes)`);
} else {
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, built);
  console.log(`wrote ${shown} (${built.length} bytes)`);
}
