package io.corc.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code corc completion bash|zsh}: prints a completion script for the shell. */
@Command(
        name = "completion",
        mixinStandardHelpOptions = true,
        description = CompletionCommand.DESCRIPTION,
        footer = {
            "",
            "Examples:",
            "  source <(corc completion bash)",
            "  corc completion zsh > \"${fpath[1]}/_corc\"   # or: source <(corc completion zsh)"
        })
final class CompletionCommand implements Callable<Integer> {
    static final String DESCRIPTION = "Print a shell completion script.";

    enum Shell {
        bash,
        zsh
    }

    private final CommandLine root;

    @Parameters(paramLabel = "SHELL", description = "${COMPLETION-CANDIDATES}")
    Shell shell;

    CompletionCommand(CommandLine root) {
        this.root = root;
    }

    @Override
    public Integer call() {
        String script = AutoComplete.bash("corc", root);
        if (shell == Shell.zsh) {
            // picocli's script is bash; zsh runs it through bashcompinit.
            script = "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script;
        }
        root.getOut().print(script);
        root.getOut().flush();
        return ExitCodes.OK;
    }
}
