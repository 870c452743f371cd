package io.vigil.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil completion bash}: the shell completion script picocli generates from the commands themselves (bash;
 * zsh reads the same script through bashcompinit).
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a shell completion script for vigil's commands and flags.",
                "bash:  source <(vigil completion bash)",
                "zsh:   autoload -U +X bashcompinit && bashcompinit && source <(vigil completion zsh)"})
final class CompletionCommand implements Callable<Integer> {
    enum Shell { bash, zsh }

    @Parameters(paramLabel = "SHELL", defaultValue = "bash", description = "bash (the default) or zsh.")
    Shell shell;

    @Override
    public Integer call() {
        System.out.print(AutoComplete.bash("vigil", Main.fullCommandLine()));
        System.out.flush();
        return 0;
    }
}
