// `npm run deploy` runs this first (predeploy): the settings in wrangler.toml's [vars] must parse
// with the Worker's own schema, and a production deployment needs APP_URL (mail links come from
// it only). Usage: node scripts/check-deploy.mjs [--config wrangler.toml]
import { configChecks, tomlVars } from "./settings.mjs";

const i = process.argv.indexOf("--config");
const file = i === -1 ? "wrangler.toml" : process.argv[i + 1];
const vars = tomlVars(file);
const { findSettingProblem, findDeploymentProblem, unknownSettings } = await configChecks();
const [unknown] = unknownSettings(Object.keys(vars));
const problem =
  (unknown && `${unknown.name} is no setting of this server (did you mean ${unknown.nearest}?)`) ??
  findSettingProblem(vars)?.message ??
  findDeploymentProblem(vars);
if (problem) {
  console.error(`Refusing to deploy: ${problem} (under [vars] in ${file}; see docs/configuration.md).`);
  process.exit(1);
}
console.log(`${file}: settings check out for a deployment.`);
