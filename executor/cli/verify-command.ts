import { openOneStore } from '../storage/open-stores.js';
import { formatVerifyReport } from '../verify/format-verify-report.js';
import { verifyOutput } from '../verify/verify-output.js';
import { parseCommandLine } from './flags/parse-command-line.js';
import { renderCommandHelp } from './flags/render-help.js';
import { VERIFY_COMMAND } from './flags/verify-flags.js';

/** `featurejob verify <output>`: exit 0 when the output holds, 1 with what is wrong. */
export async function verifyCommand(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { help, values, positionals } = parseCommandLine(VERIFY_COMMAND, argv);
  if (help) {
    out.write(renderCommandHelp(VERIFY_COMMAND));
    return 0;
  }
  const output = openOneStore(positionals[0]!, { s3Endpoint: values['s3-endpoint'], region: values.region });
  const report = await verifyOutput(output);
  out.write(values.json === true ? `${JSON.stringify(report)}\n` : formatVerifyReport(report));
  return report.ok ? 0 : 1;
}
