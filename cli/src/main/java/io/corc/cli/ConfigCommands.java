package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.SecureFiles;
import io.corc.core.CorcHome;
import io.corc.core.config.ConfigLoader;
import io.corc.core.config.ConfigProblem;
import io.corc.core.config.CorcConfig;
import io.corc.core.config.DefaultConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code corc config generate|show|validate|path}. */
final class ConfigCommands {
    private ConfigCommands() {}

    private static ConfigLoader loader(CliContext context) {
        return new ConfigLoader(CorcHome.resolve(context.env), context.env);
    }

    @Command(
            name = "generate",
            mixinStandardHelpOptions = true,
            description = "Write a configuration file with every setting at its default, commented.",
            footer = {"", "Examples:", "  corc config generate", "  corc config generate --path ./corc.yaml --force"})
    static final class Generate implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--path", paramLabel = "FILE", description = "Where to write (default: the config path).")
        Path path;

        @Option(names = "--force", description = "Replace an existing file.")
        boolean force;

        Generate(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Path target = path != null ? path : loader(context).configPath(context.global.configFile);
            if (Files.exists(target) && !force) {
                throw new CorcException(ErrorCategory.CONFLICT, "configuration file " + target + " already exists")
                        .withHint("pass --force to replace it, or --path to write elsewhere");
            }
            SecureFiles.writeAtomically(target, DefaultConfig.yaml().getBytes(StandardCharsets.UTF_8));
            context.emit(
                    Views.document("success", "path", target.toString()),
                    out -> out.println("Wrote the default configuration to " + target));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Print the effective configuration: defaults, file, CORC_* environment and flags merged.",
            footer = {"", "Examples:", "  corc config show", "  CORC_JOB_META_NUM_JOBS=4 corc config show -o json"})
    static final class Show implements Callable<Integer> {
        private final CliContext context;

        Show(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            CorcConfig config = context.corc().config();
            String source = config.source().map(Path::toString).orElse(null);
            context.emit(Views.document("success", "source", source, "config", config.asMap()), out -> {
                out.println("# source: " + (source == null ? "built-in defaults" : source));
                out.print(config.toYaml());
            });
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description = "Check a configuration file and report every problem with its line.",
            footer = {
                "",
                "Examples:",
                "  corc config validate",
                "  corc config validate config-examples/oci-thesis.yaml"
            })
    static final class Validate implements Callable<Integer> {
        private final CliContext context;

        @Parameters(arity = "0..1", paramLabel = "FILE", description = "File to check (default: the config path).")
        Path file;

        Validate(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            ConfigLoader loader = loader(context);
            Path target = file != null ? file : loader.configPath(context.global.configFile);
            if (!Files.exists(target)) {
                throw CorcException.notFound("configuration file " + target + " does not exist")
                        .withHint("corc config generate writes one");
            }
            List<ConfigProblem> problems = loader.validate(target);
            String status = problems.isEmpty() ? "success" : "invalid";
            context.emit(
                    Views.document(
                            status,
                            "path",
                            target.toString(),
                            "problems",
                            problems.stream()
                                    .map(p -> Map.<String, Object>of(
                                            "path", p.path(), "line", p.line(), "message", p.message()))
                                    .toList()),
                    out -> {
                        if (problems.isEmpty()) {
                            out.println(target + ": valid");
                        } else {
                            problems.forEach(p -> out.println(p.toString()));
                        }
                    });
            return problems.isEmpty() ? ExitCodes.OK : ExitCodes.INVALID_INPUT;
        }
    }

    @Command(
            name = "path",
            mixinStandardHelpOptions = true,
            description = "Print which configuration file corc reads, and whether it exists.",
            footer = {"", "Examples:", "  corc config path", "  CORC_HOME=/tmp/corc corc config path"})
    static final class PathCommand implements Callable<Integer> {
        private final CliContext context;

        PathCommand(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Path target = loader(context).configPath(context.global.configFile);
            boolean exists = Files.exists(target);
            context.emit(
                    Views.document("success", "path", target.toString(), "exists", exists),
                    out -> out.println(target + (exists ? "" : " (does not exist; built-in defaults apply)")));
            return ExitCodes.OK;
        }
    }
}
