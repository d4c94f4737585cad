import { PlanCommandConfigSchema } from '../config/plan-config.js';
import { openStores } from '../storage/open-stores.js';
import { formatPlanDescription } from '../progress/format-plan-description.js';
import { describePlan } from '../tasks/describe-plan.js';
import { parseCommandLine, parseCommandSettings } from './flags/parse-command-line.js';
import { PLAN_COMMAND } from './flags/plan-flags.js';
import { renderCommandHelp } from './flags/render-help.js';

/** `featurejob plan <input> --out <output>`: what run would do; writes nothing; exit 0 (2 for bad arguments). */
export async function planCommand(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { help, fields } = parseCommandLine(PLAN_COMMAND, argv);
  if (help) {
    out.write(renderCommandHelp(PLAN_COMMAND));
    return 0;
  }
  const config = parseCommandSettings(PLAN_COMMAND, fields, (input) => PlanCommandConfigSchema.parse(input));
  const { input, output } = openStores(config);
  const description = await describePlan({ stores: { input, output }, config, full: config.full });
  out.write(config.json ? `${JSON.stringify(description)}\n` : formatPlanDescription(description, output.uri));
  return 0;
}
