namespace Pmem.Analyzers.Tests;

/// <summary>Correct persistent-memory code, shaped like the project's own, on which every rule must stay silent.</summary>
public sealed class CorrectProgramTests
{
    [Fact]
    public Task Generated_code_is_not_analyzed() => Verify.AnalyzerAsync("""
        [System.CodeDom.Compiler.GeneratedCode("tool", "1.0")]
        class Generated
        {
            void M(Span<byte> a, byte[] data, PmemRegion region)
            {
                Persist.PmemMemcpy(a, data);
                region.Span[0] = 1;
            }
        }

        class Written
        {
            [System.CodeDom.Compiler.GeneratedCode("tool", "1.0")]
            void M(Span<byte> a, byte[] data) => Persist.PmemMemcpy(a, data);
        }
        """);

    [Fact]
    public Task Append_log_like_the_demo() => Verify.AnalyzerAsync("""
        static class Program
        {
            static void Run(string path, byte[] record)
            {
                using PmemRegion region = PmemRegion.Open(path);
                ref ulong used = ref region.AsRef<ulong>(0);
                ulong start = used == 0 ? 8 : used;
                Span<byte> destination = region.Slice((long)start, record.Length);
                Persist.PmemMemcpy(destination, record);
                Persist.PmemFlush(destination);
                Persist.PmemCommit();
                Persist.PmemAssign(ref used, start + (ulong)record.Length);
                Persist.PmemFlush(region.Slice(0, sizeof(ulong)));
                Persist.PmemCommit();
                Console.WriteLine(region.Span[8]);
            }
        }
        """);

    [Fact]
    public Task Cache_store_like_the_writecache() => Verify.AnalyzerAsync("""
        [StructLayout(LayoutKind.Explicit, Size = 16)]
        struct Entry
        {
            [FieldOffset(0)] public ulong OriginalSector;
            [FieldOffset(8)] public ulong SeqCount;
        }

        [StructLayout(LayoutKind.Explicit, Size = 64)]
        struct Superblock
        {
            [FieldOffset(0)] public uint Magic;
            [FieldOffset(4)] public uint Version;
            [FieldOffset(8)] public uint BlockSize;
            [FieldOffset(16)] public ulong BlockCount;
            [FieldOffset(24)] [PmemPublish] public ulong SeqCount;
        }

        abstract class CacheStore
        {
            public abstract void WriteEntry(long index, ulong sector, ulong seq);
            public abstract void FlushEntry(long index);
            public abstract ValueTask CommitFlushedAsync();
        }

        sealed unsafe class PmemCacheStore : CacheStore
        {
            private static readonly byte[] AllOnes = new byte[4096];
            private readonly byte* _metadata;

            public PmemCacheStore(PmemRegion region) => _metadata = region.Pointer;

            private ref Superblock Superblock => ref Unsafe.AsRef<Superblock>(_metadata);

            private ref Entry Entry(long index) => ref Unsafe.AsRef<Entry>(_metadata + 64 + (index * 16));

            private Span<byte> EntryBytes(long index) => new(_metadata + 64 + (index * 16), 16);

            private Span<byte> DataBlock(long index) => new(_metadata + 65536 + (index * 4096), 4096);

            [PmemCallerCommits]
            public void CopyIn(long index, ReadOnlySpan<byte> data) => Persist.PmemMemcpy(DataBlock(index), data);

            [PmemCallerCommits]
            public override void WriteEntry(long index, ulong sector, ulong seq)
            {
                ref Entry entry = ref Entry(index);
                Persist.PmemAssign(ref entry.OriginalSector, sector);
                Persist.PmemAssign(ref entry.SeqCount, seq);
            }

            public override void FlushEntry(long index)
            {
                Persist.PmemFlush(EntryBytes(index));
                Persist.PmemFlush(DataBlock(index));
            }

            public override ValueTask CommitFlushedAsync()
            {
                Persist.PmemCommit();
                return ValueTask.CompletedTask;
            }

            public ValueTask PublishSeqCountAsync(ulong seq)
            {
                ref Superblock superblock = ref Superblock;
                Persist.PmemAssign(ref superblock.SeqCount, seq);
                Persist.PmemFlush(new ReadOnlySpan<byte>(_metadata + 24, sizeof(ulong)));
                Persist.PmemCommit();
                return ValueTask.CompletedTask;
            }

            public ValueTask FormatAsync(long blocks)
            {
                ref Superblock superblock = ref Superblock;
                for (int word = 0; word < 64 / sizeof(ulong); word++)
                {
                    Persist.PmemAssign(ref Unsafe.AsRef<ulong>(_metadata + (word * sizeof(ulong))), 0UL);
                }

                Persist.PmemAssign(ref superblock.Version, 1U);
                Persist.PmemAssign(ref superblock.BlockCount, (ulong)blocks);
                Persist.PmemFlush(new ReadOnlySpan<byte>(_metadata, 64));
                for (long offset = 64; offset < 64 + (blocks * 16); offset += 4096)
                {
                    int length = (int)Math.Min(4096, 64 + (blocks * 16) - offset);
                    var chunk = new Span<byte>(_metadata + offset, length);
                    Persist.PmemMemcpy(chunk, AllOnes.AsSpan(0, length));
                    Persist.PmemFlush(chunk);
                }

                Persist.PmemCommit();
                Persist.PmemAssign(ref superblock.Magic, 0x57C4u);
                Persist.PmemFlush(new ReadOnlySpan<byte>(_metadata, sizeof(uint)));
                Persist.PmemCommit();
                return ValueTask.CompletedTask;
            }
        }

        sealed class Device
        {
            private readonly CacheStore _store;
            private readonly PmemCacheStore? _pmem;
            private int _uncommitted;

            public Device(CacheStore store, PmemCacheStore? pmem) { _store = store; _pmem = pmem; }

            public async ValueTask WriteAsync(long e, ReadOnlyMemory<byte> data, bool fua)
            {
                _store.WriteEntry(e, 8, 1);
                if (_pmem is not null)
                {
                    _pmem.CopyIn(e, data.Span);
                    _uncommitted++;
                }

                if (fua || _uncommitted > 16)
                {
                    await CommitAsync();
                }
            }

            public async ValueTask CommitAsync()
            {
                for (long e = 0; e < _uncommitted; e++)
                {
                    _store.FlushEntry(e);
                }

                await _store.CommitFlushedAsync();
                _uncommitted = 0;
            }
        }
        """);

    [Fact]
    public Task Compilations_without_pmem_are_skipped() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a) => a[0] = 1;
        }
        """);
}
