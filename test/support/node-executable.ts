import { constants } from 'node:fs';
import { chmod, copyFile, link, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * A path of the running node binary that any user can execute, for tests that drop root's
 * privileges (a uid of the image, `nobody`). CI's node is the pinned LTS under root's home
 * (.ci/install-node.sh: ~/.cache/featurejob-node), which other users cannot enter: then the
 * binary is hard-linked, or copied, into `dir` (which they must be able to enter) as
 * `dir/node`. A node that others can reach already is returned as it is.
 */
export async function nodeExecutableForAnyUser(dir: string): Promise<string> {
  const executable = await realpath(process.execPath);
  if (await othersCanExecute(executable)) return process.execPath;
  const target = join(dir, 'node');
  try {
    await link(executable, target);
  } catch {
    await copyFile(executable, target, constants.COPYFILE_FICLONE);
  }
  await chmod(target, 0o755);
  return target;
}

/** Whether users outside the owner and group may run `file`: it and every folder above it allow others to execute. */
async function othersCanExecute(file: string): Promise<boolean> {
  for (let path = file; ; path = dirname(path)) {
    if (((await stat(path)).mode & 0o001) === 0) return false;
    if (dirname(path) === path) return true;
  }
}
