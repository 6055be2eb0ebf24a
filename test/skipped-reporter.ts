// A vitest reporter that says loudly, after the summary, how many tests a run skipped and why: a
// green run that checked less than it seems must not pass for a full one (the browser tests skip
// only when CHIRPY_SKIP_BROWSER_TESTS=1 asks; see scripts/test.mjs).
import type { Reporter, TestModule } from "vitest/node";

export default class SkippedReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const skipped = new Map<string, number>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        if (test.result().state !== "skipped") continue;
        const file = module.moduleId.replace(/^.*\/test\//, "test/");
        skipped.set(file, (skipped.get(file) ?? 0) + 1);
      }
    }
    const total = [...skipped.values()].reduce((sum, n) => sum + n, 0);
    if (total === 0) return;
    const why =
      process.env.CHIRPY_SKIP_BROWSER_TESTS === "1" ? " (CHIRPY_SKIP_BROWSER_TESTS=1: no browser tests ran)" : "";
    const rule = "!".repeat(72);
    console.log(
      [
        "",
        rule,
        `!! ${total} TEST${total === 1 ? "" : "S"} SKIPPED${why}: this run checked less than the full suite.`,
        ...[...skipped].map(([file, n]) => `!!   ${n} in ${file}`),
        rule,
      ].join("\n"),
    );
  }
}
