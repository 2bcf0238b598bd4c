using Microsoft.CodeAnalysis;

namespace Pmem.Generators.Tests;

/// <summary>The [PmemLayout] generator: members it adds, and the layouts it refuses.</summary>
public sealed class LayoutGeneratorTests
{
    private const string Superblock = """
        using System.Runtime.InteropServices;

        namespace Cache;

        [Pmem.PmemLayout]
        [StructLayout(LayoutKind.Explicit, Size = 64)]
        internal unsafe partial struct Superblock
        {
            [FieldOffset(0)] public uint Magic;
            [FieldOffset(4)] public uint Version;
            [FieldOffset(16)] public ulong Blocks;
            [FieldOffset(24)] public ulong SeqCount;
            [FieldOffset(32)] public fixed byte Padding[32];
        }
        """;

    [Fact]
    public void ALayoutGetsItsSizeOffsetsAccessorAndBytes()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run(Superblock);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationErrors);
        Assert.Equal("Cache.Superblock.PmemLayout.g.cs", Assert.Single(result.Sources).HintName);
        Snapshot.Match("layout", result.Single);
    }

    [Fact]
    public void AFieldNotAlignedToItsSizeIsAnErrorAtTheField()
    {
        const string source = """
            using System.Runtime.InteropServices;
            [Pmem.PmemLayout]
            [StructLayout(LayoutKind.Explicit)]
            internal partial struct Torn
            {
                [FieldOffset(0)] public uint Small;
                [FieldOffset(4)] public ulong SeqCount;
            }
            """;
        GeneratorHarness.Result result = GeneratorHarness.Run(source);
        Diagnostic diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("PMEM104", diagnostic.Id);
        Assert.Equal("Field 'SeqCount' of 'Torn' is 8 bytes at offset 4: not aligned to its size, so no single store updates it failure-atomically",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("SeqCount", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Empty(result.Sources);
    }

    [Theory]
    [InlineData("[Pmem.PmemLayout][System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)] partial struct S { public ulong A; }", "needs [StructLayout(LayoutKind.Explicit)]")]
    [InlineData("[Pmem.PmemLayout] partial struct S { public ulong A; }", "needs [StructLayout(LayoutKind.Explicit)]")]
    [InlineData("[Pmem.PmemLayout][System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)] struct S { [System.Runtime.InteropServices.FieldOffset(0)] public ulong A; }", "must be a top-level, non-generic partial struct")]
    [InlineData("[Pmem.PmemLayout][System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)] partial struct S { [System.Runtime.InteropServices.FieldOffset(0)] public double A; }", "field 'A' must be an integer")]
    public void LayoutsThatCannotBeCheckedAreRefused(string source, string why)
    {
        GeneratorHarness.Result result = GeneratorHarness.Run(source);
        Diagnostic diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("PMEM103", diagnostic.Id);
        Assert.Contains(why, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}
