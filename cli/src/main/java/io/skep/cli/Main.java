package io.skep.cli;

import io.skep.client.DaemonException;
import io.skep.client.DaemonUnavailableException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code skep} command: the image's launcher. Subcommands follow the docker CLI's grammar, flags and output;
 * exit codes as docker's: 0 done, 1 the command failed (an error response of the daemon, a daemon that is not
 * there), 125 the command line itself is wrong.
 */
public final class Main {

    /** Exit code of a command line docker would refuse (unknown flag, missing argument, bad value). */
    static final int USAGE_ERROR = 125;

    private Main() {}

    public static void main(String[] args) {
        int code = run(CliContext.system(), args);
        System.exit(code);
    }

    /** Runs one command line against {@code ctx}; returns the exit code. */
    public static int run(CliContext ctx, String... args) {
        return run(ctx, List.of(), args);
    }

    /** Runs one command line against {@code ctx}, with {@code extraCommands} beside the CLI's own; returns the exit code. */
    public static int run(CliContext ctx, List<Object> extraCommands, String... args) {
        try (ctx) {
            return commandLine(ctx, extraCommands, args).execute(args);
        }
    }

    /**
     * The command line of {@code ctx}: the CLI's commands, and {@code extraCommands} (picocli commands; the node
     * image adds {@code skep daemon}), laid out and failing as the docker CLI's.
     */
    public static CommandLine commandLine(CliContext ctx, List<Object> extraCommands) {
        return commandLine(ctx, extraCommands, new String[0]);
    }

    /**
     * The command line of {@code ctx} for {@code args}: with only the command they name (and its subcommands), or
     * every command when they name none that exists (help lists them all; picocli reports the unknown one).
     */
    static CommandLine commandLine(CliContext ctx, List<Object> extraCommands, String[] args) {
        CommandLine cl = new CommandLine(new SkepCommand(ctx));
        List<Object> commands = new ArrayList<>(SkepCommand.COMMANDS);
        commands.addAll(extraCommands);
        String named = commandName(cl.getCommandSpec(), args);
        List<Object> chosen =
                commands.stream().filter(c -> names(c).contains(named)).toList();
        (chosen.isEmpty() ? commands : chosen).forEach(cl::addSubcommand);
        cl.setOut(new PrintWriter(ctx.out, true));
        cl.setErr(new PrintWriter(ctx.err, true));
        cl.setOverwrittenOptionsAllowed(true);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        abbreviateSynopsis(cl);
        cl.setHelpFactory(Main::help);
        // Like docker's SetInterspersed(false): after IMAGE everything is the command and its arguments.
        CommandLine service = cl.getSubcommands().get("service");
        if (service != null) {
            service.getSubcommands().get("create").setStopAtPositional(true);
        }
        cl.setParameterExceptionHandler((ex, unused) -> usageError(ex, ctx.err));
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> executionError(ex, ctx));
        return cl;
    }

    /**
     * The first argument after the global options ({@code -H HOST}, the TLS flags): the command's name, or null when
     * there is none.
     */
    static String commandName(CommandSpec top, String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-") || arg.equals("-")) {
                return arg;
            }
            if (arg.equals("--")) {
                return null;
            }
            OptionSpec option = arg.contains("=") ? null : top.findOption(arg);
            if (option != null && option.arity().max() > 0 && !option.typeInfo().isBoolean()) {
                i++; // its value
            }
        }
        return null;
    }

    /** The names and aliases of a picocli command (a class or an instance), from its annotation. */
    private static List<String> names(Object command) {
        Class<?> type = command instanceof Class<?> c ? c : command.getClass();
        CommandLine.Command annotation = type.getAnnotation(CommandLine.Command.class);
        if (annotation == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>(List.of(annotation.aliases()));
        names.add(annotation.name());
        return names;
    }

    /** Help that shows boolean flags bare ({@code -d, --detach}), though they take {@code --detach=false}. */
    private static CommandLine.Help help(CommandSpec spec, CommandLine.Help.ColorScheme scheme) {
        return new CommandLine.Help(spec, scheme) {
            @Override
            public IParamLabelRenderer parameterLabelRenderer() {
                IParamLabelRenderer standard = super.parameterLabelRenderer();
                return new IParamLabelRenderer() {
                    @Override
                    public Ansi.Text renderParameterLabel(ArgSpec arg, Ansi ansi, List<Ansi.IStyle> styles) {
                        if (arg.isOption() && (arg.type() == boolean.class || arg.type() == Boolean.class)) {
                            return ansi.new Text("");
                        }
                        return standard.renderParameterLabel(arg, ansi, styles);
                    }

                    @Override
                    public String separator() {
                        return standard.separator();
                    }
                };
            }
        };
    }

    /** Help laid out as docker's: {@code Usage:  skep service ls [OPTIONS]}, then the description, options. */
    private static void abbreviateSynopsis(CommandLine cl) {
        cl.getCommandSpec()
                .usageMessage()
                .abbreviateSynopsis(true)
                .synopsisHeading("%nUsage:  ")
                .descriptionHeading("%n")
                .parameterListHeading("%nArguments:%n")
                .optionListHeading("%nOptions:%n")
                .commandListHeading("%nCommands:%n")
                .footer("");
        cl.getSubcommands().values().forEach(Main::abbreviateSynopsis);
    }

    private static int executionError(Exception ex, CliContext ctx) {
        if (ex instanceof ParameterException pe) {
            return usageError(pe, ctx.err);
        }
        if (ex instanceof CliException ce) {
            if (ce.getMessage() != null && !ce.getMessage().isEmpty()) {
                ctx.err.println(ce.getMessage());
            }
            return ce.exitCode();
        }
        ctx.err.println(errorText(ex));
        if (ctx.env.containsKey("SKEP_DEBUG")
                && !(ex instanceof DaemonException)
                && !(ex instanceof DaemonUnavailableException)) {
            ex.printStackTrace(ctx.err);
        }
        return 1;
    }

    /** How the docker CLI shows an error: daemon answers get {@code Error response from daemon: }. */
    public static String errorText(Throwable ex) {
        if (ex instanceof DaemonException de) {
            return "Error response from daemon: " + de.getMessage();
        }
        if (ex instanceof DaemonUnavailableException || ex instanceof CliException) {
            return ex.getMessage();
        }
        String message = ex.getMessage();
        return message == null || message.isBlank() ? ex.toString() : message;
    }

    /**
     * Reports a command line docker would refuse, in docker's words: a bad flag exits 125, a wrong number of
     * arguments or an unknown command exits 1 (cobra's argument validators are plain errors in docker).
     */
    static int usageError(ParameterException ex, PrintStream err) {
        CommandLine cl = ex.getCommandLine();
        CommandSpec spec = cl.getCommandSpec();
        String name = spec.qualifiedName();
        String use = useLine(cl);

        if (ex instanceof UnmatchedArgumentException u
                && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().getFirst().startsWith("-")
                && !cl.getSubcommands().isEmpty()) {
            err.println(
                    "skep: unknown command: " + name + " " + u.getUnmatched().getFirst());
            err.println();
            if (spec.parent() != null) {
                err.println("Usage:  " + name);
                err.println();
            }
            err.println("Run '" + name + " --help' for more information");
            return 1;
        }
        boolean positional = (ex instanceof UnmatchedArgumentException u
                        && !u.getUnmatched().isEmpty()
                        && !u.getUnmatched().getFirst().startsWith("-"))
                || (ex instanceof MissingParameterException m
                        && !m.getMissing().isEmpty()
                        && !m.getMissing().getFirst().isOption());
        if (positional) {
            int min = 0;
            int max = 0;
            for (var p : spec.positionalParameters()) {
                min += p.arity().min();
                max = p.arity().isVariable() || max == Integer.MAX_VALUE
                        ? Integer.MAX_VALUE
                        : max + p.arity().max();
            }
            String hint = "Run";
            String message;
            if (max == 0) {
                message = "accepts no arguments";
            } else if (min == max) {
                message = "requires " + min + " " + plural(min);
            } else if (max == Integer.MAX_VALUE) {
                message = "requires at least " + min + " " + plural(min);
                hint = "See";
            } else {
                message = "requires at least " + min + " and at most " + max + " " + plural(max);
            }
            err.println("skep: '" + name + "' " + message);
            err.println();
            err.println("Usage:  " + use);
            err.println();
            err.println(hint + " '" + name + " --help' for more information");
            return 1;
        }
        err.println(flagMessage(ex));
        err.println();
        err.println("Usage:  " + use);
        err.println();
        err.println("Run '" + name + " --help' for more information");
        return USAGE_ERROR;
    }

    private static String plural(int n) {
        return n == 1 ? "argument" : "arguments";
    }

    /** The command's usage line: {@code skep service ps [OPTIONS] SERVICE [SERVICE...]}. */
    static String useLine(CommandLine cl) {
        String[] custom = cl.getCommandSpec().usageMessage().customSynopsis();
        if (custom.length > 0) {
            return String.join(" ", custom).strip();
        }
        return cl.getHelp().synopsis(0).strip();
    }

    private static String flagMessage(ParameterException ex) {
        if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().getFirst();
            if (first.startsWith("--")) {
                int eq = first.indexOf('=');
                return "unknown flag: " + (eq > 0 ? first.substring(0, eq) : first);
            }
            return "unknown shorthand flag: '" + first.charAt(1) + "' in " + first;
        }
        if (ex instanceof MissingParameterException m
                && !m.getMissing().isEmpty()
                && m.getMissing().getFirst() instanceof OptionSpec option) {
            return "flag needs an argument: " + option.longestName();
        }
        String message = ex.getMessage();
        if (ex.getArgSpec() instanceof OptionSpec option
                && ex.getValue() != null
                && message != null
                && message.startsWith("Invalid value")) {
            int colon = message.indexOf(": ");
            return "invalid argument \"" + ex.getValue() + "\" for \"" + option.longestName() + "\" flag: "
                    + (colon > 0 ? message.substring(colon + 2) : message);
        }
        return message;
    }
}
