using System.CommandLine;
using Pmem.WriteCache.Tool;

// Signals are handled by `serve` itself (stop accepting, drain, commit); System.CommandLine must not exit the
// process on its own two seconds after SIGTERM, or a long commit would be cut short.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
ParseResult parse = ToolCommandLine.Create().Parse(args);
return parse.Errors.Count > 0 ? CommandLineErrors.Report(parse) : await parse.InvokeAsync(invocation);
