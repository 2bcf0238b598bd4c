using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Pmem.Analyzers.Tests;

/// <summary>
/// The structured engine against the control-flow-graph engine on the constructs it models (it must take the body
/// and find exactly what the graph finds) and on those it leaves to the graph (it must decline, and the shipped
/// analyzer must still find what the graph finds). <see cref="Verify"/> runs every other test through both engines too.
/// </summary>
public sealed class EngineAgreementTests
{
    private const string Prelude = """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Pmem;

        class Base { public virtual void Sync() { } }

        class Helpers
        {
            [PmemCallerCommits] public static void Stage(Span<byte> a, byte[] d) { Persist.PmemMemcpy(a, d); Persist.PmemFlush(a); }
            public static void Seal() => Persist.PmemCommit();
            public static void Log(string text) { }
        }

        sealed class Header { [PmemPublish] public ulong Seq; public ulong Other; }

        """;

    public static TheoryData<string> Modeled => new()
    {
        // Loops with break, continue and return through a finally that commits on some paths only.
        """
        class C
        {
            void M(Span<byte> a, Span<byte> b, byte[] d, int n)
            {
                for (int i = 0; i < n; i++)
                {
                    try
                    {
                        Persist.PmemMemcpy(a, d);
                        if (i == 3) break;
                        if (i == 4) continue;
                        if (i == 5) return;
                        Persist.PmemFlush(a);
                    }
                    finally
                    {
                        if (i > 1) Persist.PmemCommit();
                    }
                }

                Persist.PmemMemcpy(b, d);
                Persist.PmemFlush(b);
            }
        }
        """,
        // do/while, while, a switch without default, continue out of a switch, nested try/finally.
        """
        class C
        {
            void M(Span<byte> a, Span<byte> b, byte[] d, int n, Header h)
            {
                int i = 0;
                do
                {
                    switch (n)
                    {
                        case 1:
                            Persist.PmemMemcpy(a, d);
                            continue;
                        case 2:
                        case 3:
                            Persist.PmemFlush(a);
                            Persist.PmemAssign(ref h.Seq, 1UL);
                            break;
                    }

                    try
                    {
                        try { Persist.PmemMemcpy(b, d); if (n > 9) return; }
                        finally { Persist.PmemFlush(b); }
                    }
                    finally { Persist.PmemCommit(); }
                    while (i < n) { i++; Persist.PmemCommit(); }
                }
                while (++i < n);
            }
        }
        """,
        // for(;;) left by break only, a throw, unreachable code, redundant flushes and commits, a ref local between flushes.
        """
        class C
        {
            ulong _x;

            void M(Span<byte> a, byte[] d, int n)
            {
                for (;;)
                {
                    Persist.PmemMemcpy(a, d);
                    if (n > 2) break;
                    if (n < 0) throw new InvalidOperationException("negative");
                }

                Persist.PmemFlush(a);
                Persist.PmemFlush(a);
                ref ulong x = ref _x;
                Persist.PmemFlush(a);
                Persist.PmemCommit();
                Persist.PmemCommit();
                return;
                Persist.PmemMemcpy(a, d);
            }
        }
        """,
        // Helpers, virtual calls, caller-commits calls, publishes, an expression body, a lambda and a local function without writes.
        """
        class C
        {
            void M(Span<byte> a, byte[] d, Header h, Base other, int n)
            {
                Helpers.Stage(a, d);
                Persist.PmemAssign(ref h.Seq, 2UL);
                Func<int, int> twice = x => x * 2;
                int k = n > 0 ? n : 0;
                k = twice(k);
                string? text = k.ToString();
                int length = text?.Length ?? 0;
                Persist.PmemMemcpy(a, d);
                if (length > 3) { other.Sync(); } else { Helpers.Seal(); }
                Log(length);
                Persist.PmemAssign(ref h.Other, 3UL);

                static void Log(int value) { }
            }

            void N(Span<byte> a, byte[] d) => Persist.PmemMemcpy(a, d);

            C(Span<byte> a, byte[] d) { Persist.PmemMemcpy(a, d); Persist.PmemFlush(a); }
        }
        """,
    };

    public static TheoryData<string> LeftToTheGraph => new()
    {
        "class C { void M(Span<byte> a, Span<byte> b, byte[] d, int n) { Persist.PmemMemcpy(n > 0 ? a : b, d); Persist.PmemFlush(a); Persist.PmemCommit(); } }",
        "class C { void M(Span<byte> a, byte[] d, int n) { if (n > 0 && a.Length > 0) Persist.PmemMemcpy(a, d); Persist.PmemCommit(); } }",
        "class C { void M(Span<byte> a, byte[] d) { while (true) { Persist.PmemMemcpy(a, d); break; } Persist.PmemCommit(); } }",
        "class C { void M(Span<byte> a, byte[] d, List<int> l) { foreach (int x in l) Persist.PmemMemcpy(a, d); Persist.PmemCommit(); } }",
        "class C { void M(Span<byte> a, byte[] d, IDisposable r) { using (r) { Persist.PmemMemcpy(a, d); } Persist.PmemFlush(a); } }",
        "class C { void M(Span<byte> a, byte[] d) { try { Persist.PmemMemcpy(a, d); } catch (Exception) { } Persist.PmemCommit(); } }",
        "class C { void M(Span<byte> a, byte[] d, int n) { again: Persist.PmemMemcpy(a, d); if (n-- > 0) goto again; Persist.PmemFlush(a); } }",
        "class C { void M(Span<byte> a, byte[] d, object o) { lock (o) { Persist.PmemMemcpy(a, d); } Persist.PmemCommit(); } }",
        "class C { async Task M(byte[] d) { await Task.Yield(); Persist.PmemCommit(); } }",
        "class C { IEnumerable<int> M(byte[] d) { Persist.PmemCommit(); yield return 1; } }",
        "class C { void M(Span<byte> a, byte[] d, object o) { switch (o) { case string s: Persist.PmemCommit(); break; } } }",
        "class C { void M(byte[] d) { Action act = () => Persist.PmemCommit(); act(); } }",
        "class C { void M(Span<byte> a, byte[] d, string? s) { Persist.PmemMemcpy(a, d); Helpers.Log(s ?? throw new ArgumentNullException(nameof(s))); Persist.PmemCommit(); } }",
    };

    [Theory]
    [MemberData(nameof(Modeled))]
    public async Task Structured_engine_takes_the_body_and_finds_what_the_graph_finds(string source)
    {
        string[] graph = await DescribeAsync(source, DurabilityEngine.GraphOnly);
        string[] structured = await DescribeAsync(source, DurabilityEngine.StructuredOnly);
        Assert.NotEmpty(graph);

        // As text, so that a failure shows the whole of an AD0001 (the construct the structured engine declined).
        Assert.Equal(string.Join("\n", graph), string.Join("\n", structured));
    }

    [Theory]
    [MemberData(nameof(LeftToTheGraph))]
    public async Task Structured_engine_declines_and_the_analyzer_finds_what_the_graph_finds(string source)
    {
        string[] structuredOnly = await DescribeAsync(source, DurabilityEngine.StructuredOnly);
        Assert.Contains(structuredOnly, d => d.StartsWith("AD0001", StringComparison.Ordinal));
        Assert.Equal(await DescribeAsync(source, DurabilityEngine.GraphOnly), await DescribeAsync(source, DurabilityEngine.StructuredWithGraphFallback));
    }

    private static async Task<string[]> DescribeAsync(string source, DurabilityEngine engine)
    {
        Compilation compilation = TestCompilation.Create(Prelude + source);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        (ImmutableArray<Diagnostic> diagnostics, _) = await TestCompilation.AnalyzeAsync(compilation, new PmemDurabilityAnalyzer(engine));
        return TestCompilation.Describe(diagnostics);
    }
}
