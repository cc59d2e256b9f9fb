import type { CommandModule } from '../command.js';
import { EXIT_ERROR } from '../../shared/exit-codes.js';

/** A command of CLI.md that is not built yet: listed in --help, says so, exits 2. */
export function notBuilt(name: string, summary: string, usage: string, examples: string): CommandModule {
  return {
    name,
    summary: `${summary} (not built yet)`,
    examples,
    define(cmd, io, setExit) {
      cmd.usage(usage).allowUnknownOption(true).allowExcessArguments(true);
      cmd.action(() => {
        io.stderr(`apimops ${name}: this command is not built yet in this version of apimops\n`);
        setExit(EXIT_ERROR);
      });
    },
  };
}
