namespace Pmem.Analyzers.Tests;

/// <summary>
/// Source stand-ins for the Pmem package's types, matched by the analyzer by metadata name: the tests do not
/// depend on the real runtime or generator, only on the shapes the analyzer recognizes.
/// </summary>
internal static class PmemStubs
{
    public const string Source = """
        using System;

        namespace Pmem
        {
            [AttributeUsage(AttributeTargets.Class)]
            public sealed class PmemPrimitivesAttribute : Attribute { }

            [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor)]
            public sealed class PmemCallerCommitsAttribute : Attribute { }

            [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property | AttributeTargets.Method)]
            public sealed class PmemPublishAttribute : Attribute { }

            public sealed class PmemMapOptions { }

            public sealed unsafe class PmemRegion : IDisposable
            {
                private readonly byte* _pointer;

                private PmemRegion(byte* pointer, long length) { _pointer = pointer; Length = length; }

                public static PmemRegion Create(string path, long length, PmemMapOptions? options = null) => new PmemRegion(null, length);

                public static PmemRegion Open(string path, PmemMapOptions? options = null) => new PmemRegion(null, 0);

                public Span<byte> Span => new Span<byte>(_pointer, (int)Length);

                public Span<byte> Slice(long offset, int length) => new Span<byte>(_pointer + offset, length);

                public byte* Pointer => _pointer;

                public long Length { get; }

                public ref T AsRef<T>(long offset) where T : unmanaged => ref *(T*)(_pointer + offset);

                public void Dispose() { }
            }

            [PmemPrimitives]
            public static partial class Persist
            {
                public static void PmemMemcpy(Span<byte> destination, ReadOnlySpan<byte> source) => source.CopyTo(destination);
                public static void PmemFlush(ReadOnlySpan<byte> range) { }
                public static void PmemCommit() { }
                public static void PmemAssign(ref ulong location, ulong value) => location = value;
                public static void PmemAssign(ref long location, long value) => location = value;
                public static void PmemAssign(ref uint location, uint value) => location = value;
                public static void PmemAssign(ref int location, int value) => location = value;
                public static void PmemAssign(ref ushort location, ushort value) => location = value;
                public static void PmemAssign(ref short location, short value) => location = value;
                public static void PmemAssign(ref byte location, byte value) => location = value;
            }
        }
        """;
}
