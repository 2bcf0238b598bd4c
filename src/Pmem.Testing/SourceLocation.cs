using System.Diagnostics;
using System.Reflection;
using Pmem.Simulation;

namespace Pmem.Testing;

/// <summary>Where in the code under test a primitive was called: the first frame outside the primitives and the simulator.</summary>
public sealed class SourceLocation
{
    private SourceLocation(string method, string? file, int line)
    {
        Method = method;
        File = file;
        Line = line;
    }

    /// <summary>The calling method, as <c>Type.Method</c>.</summary>
    public string Method { get; }

    /// <summary>The source file, when the caller's PDB was available.</summary>
    public string? File { get; }

    /// <summary>The 1-based line in <see cref="File"/>, or 0.</summary>
    public int Line { get; }

    /// <summary><c>File.cs:42 in Type.Method</c>, or the method alone without a PDB.</summary>
    public override string ToString() => File is null ? Method : $"{Path.GetFileName(File)}:{Line} in {Method}";

    internal static SourceLocation? FromTrace(StackTrace? trace)
    {
        if (trace is null)
        {
            return null;
        }

        SourceLocation? withoutFile = null;
        foreach (StackFrame frame in trace.GetFrames())
        {
            MethodBase? method = frame.GetMethod();
            Type? type = method?.DeclaringType;
            if (method is null || type is null || IsInfrastructure(type))
            {
                continue;
            }

            string? file = frame.GetFileName();
            if (file is not null)
            {
                return new SourceLocation(DisplayName(type, method), file, frame.GetFileLineNumber());
            }

            withoutFile ??= new SourceLocation(DisplayName(type, method), null, 0);
        }

        return withoutFile;
    }

    /// <summary>The recording hook, this simulator, and the generated primitives class itself.</summary>
    private static bool IsInfrastructure(Type type) =>
        type.Assembly == typeof(PmemSimulation).Assembly
        || type.Assembly == typeof(SourceLocation).Assembly
        || type.IsDefined(typeof(PmemPrimitivesAttribute), inherit: false);

    /// <summary>Names compiler-generated async state machines and lambdas after the method the user wrote.</summary>
    private static string DisplayName(Type type, MethodBase method)
    {
        Type outer = type;
        string name = method.Name;
        while (outer.Name.StartsWith('<') && outer.DeclaringType is not null)
        {
            if (outer.Name.IndexOf('>', StringComparison.Ordinal) is > 1 and int end && !outer.Name.StartsWith("<>", StringComparison.Ordinal))
            {
                name = outer.Name[1..end];
            }

            outer = outer.DeclaringType;
        }

        if (name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is > 1 and int close)
        {
            name = name[1..close];
        }

        return $"{outer.Name}.{name}";
    }
}
