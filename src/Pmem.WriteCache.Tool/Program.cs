using System.CommandLine;
using Pmem.WriteCache.Tool;

// Signals are handled by `serve` itself (stop accepting, drain, commit); System.CommandLine must not exit the
// process on its own two seconds after SIGTERM, or a long commit would be cut short.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
return await ToolCommandLine.Create().Parse(args).InvokeAsync(invocation);
