namespace Pmem.Analyzers.Tests;

/// <summary>PMEM001: a write reaches a commit or the exit with no flush of its destination.</summary>
public sealed class UnflushedWriteTests
{
    [Fact]
    public Task Write_then_commit_without_flush() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data)
            {
                {|PMEM001:Persist.PmemMemcpy(a, data)|};
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Write_then_exit_without_flush_or_commit() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data)
            {
                {|PMEM001:{|PMEM002:Persist.PmemMemcpy(a, data)|}|};
            }
        }
        """);

    [Fact]
    public Task Flush_of_another_span_does_not_cover_the_write() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, Span<byte> b, byte[] data)
            {
                Persist.PmemMemcpy(a, data);
                {|PMEM001:Persist.PmemMemcpy(b, data)|};
                Persist.PmemFlush(a);
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Disjoint_constant_slices_of_one_region_are_related() => Verify.AnalyzerAsync("""
        class C
        {
            void M(PmemRegion region, byte[] data)
            {
                Span<byte> header = region.Slice(0, 64);
                Span<byte> body = region.Slice(64, 64);
                {|PMEM001:Persist.PmemMemcpy(header, data)|};
                Persist.PmemFlush(body);
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Containing_constant_slice_covers_the_write() => Verify.AnalyzerAsync("""
        class C
        {
            void M(PmemRegion region, byte[] data)
            {
                Persist.PmemMemcpy(region.Slice(8, 8), data);
                Persist.PmemFlush(region.Slice(0, 64));
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Flush_on_one_branch_only() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data, bool fast)
            {
                {|PMEM001:Persist.PmemMemcpy(a, data)|};
                if (!fast)
                {
                    Persist.PmemFlush(a);
                }

                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Flush_on_both_branches_is_silent() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data, bool fast)
            {
                Persist.PmemMemcpy(a, data);
                if (fast)
                {
                    Persist.PmemFlush(a);
                }
                else
                {
                    Persist.PmemFlush(a.Slice(0, 1));
                }

                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Loop_body_write_without_flush() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, Span<byte> other, byte[] data, int n)
            {
                for (int i = 0; i < n; i++)
                {
                    {|PMEM001:Persist.PmemMemcpy(a, data)|};
                    Persist.PmemFlush(other);
                }

                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Loop_with_flush_per_iteration_and_one_commit_is_silent() => Verify.AnalyzerAsync("""
        class C
        {
            void M(PmemRegion region, byte[] data, int n)
            {
                for (int i = 0; i < n; i++)
                {
                    var chunk = region.Slice(i * 64, 64);
                    Persist.PmemMemcpy(chunk, data);
                    Persist.PmemFlush(chunk);
                }

                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Break_skips_the_flush() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data, int n)
            {
                while (true)
                {
                    {|PMEM001:Persist.PmemMemcpy(a, data)|};
                    if (n-- == 0)
                    {
                        break;
                    }

                    Persist.PmemFlush(a);
                    Persist.PmemCommit();
                }

                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Continue_skips_the_flush() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data, int n)
            {
                for (int i = 0; i < n; i++)
                {
                    {|PMEM001:Persist.PmemMemcpy(a, data)|};
                    if (i % 2 == 0)
                    {
                        continue;
                    }

                    Persist.PmemFlush(a);
                }

                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Early_return_without_flush() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data, bool done)
            {
                {|PMEM001:Persist.PmemMemcpy(a, data)|};
                if (done)
                {
                    Persist.PmemCommit();
                    return;
                }

                Persist.PmemFlush(a);
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Switch_case_without_flush() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data, int kind)
            {
                switch (kind)
                {
                    case 0:
                        Persist.PmemMemcpy(a, data);
                        Persist.PmemFlush(a);
                        break;
                    case 1:
                        {|PMEM001:Persist.PmemAssign(ref a[0], (byte)1)|};
                        break;
                    default:
                        return;
                }

                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Flush_in_finally_covers_every_path() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data, bool stop)
            {
                try
                {
                    Persist.PmemMemcpy(a, data);
                    if (stop)
                    {
                        return;
                    }
                }
                finally
                {
                    Persist.PmemFlush(a);
                    Persist.PmemCommit();
                }
            }
        }
        """);

    [Fact]
    public Task Commit_in_finally_without_flush() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data)
            {
                try
                {
                    {|PMEM001:Persist.PmemMemcpy(a, data)|};
                }
                finally
                {
                    Persist.PmemCommit();
                }
            }
        }
        """);

    [Fact]
    public Task Async_method_across_await() => Verify.AnalyzerAsync("""
        class C
        {
            async Task M(Memory<byte> a, byte[] data)
            {
                {|PMEM001:Persist.PmemMemcpy(a.Span, data)|};
                await Task.Yield();
                Persist.PmemCommit();
            }

            async Task Correct(Memory<byte> a, byte[] data)
            {
                Persist.PmemMemcpy(a.Span, data);
                await Task.Yield();
                Persist.PmemFlush(a.Span);
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Lambda_and_local_function_are_analyzed_on_their_own() => Verify.AnalyzerAsync("""
        class C
        {
            void M(byte[] data)
            {
                Action<byte[]> write = buffer =>
                {
                    {|PMEM001:Persist.PmemMemcpy(buffer, data)|};
                    Persist.PmemCommit();
                };

                void Local(Span<byte> a)
                {
                    {|PMEM001:Persist.PmemMemcpy(a, data)|};
                    Persist.PmemCommit();
                }

                Local(data);
                write(data);
            }
        }
        """);

    [Fact]
    public Task Exceptional_exit_needs_no_flush() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data, bool bad)
            {
                Persist.PmemMemcpy(a, data);
                if (bad)
                {
                    throw new InvalidOperationException("not acknowledged");
                }

                Persist.PmemFlush(a);
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Helper_that_flushes_counts_as_a_flush() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data)
            {
                Persist.PmemMemcpy(a, data);
                FlushAll(a);
                Persist.PmemCommit();
            }

            void FlushAll(Span<byte> range) => Persist.PmemFlush(range);
        }
        """);

    [Fact]
    public Task Unrelated_helper_does_not_hide_the_missing_flush() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data)
            {
                {|PMEM001:Persist.PmemMemcpy(a, data)|};
                Log();
                Persist.PmemCommit();
            }

            static void Log() => Console.WriteLine("written");
        }
        """);

    [Fact]
    public Task Assign_flushed_through_an_unrelated_expression_is_silent() => Verify.AnalyzerAsync("""
        [StructLayout(LayoutKind.Explicit, Size = 16)]
        struct Entry
        {
            [FieldOffset(0)] public ulong Sector;
            [FieldOffset(8)] public ulong Seq;
        }

        class C
        {
            void M(PmemRegion region)
            {
                ref Entry entry = ref region.AsRef<Entry>(64);
                Persist.PmemAssign(ref entry.Sector, 1UL);
                Persist.PmemAssign(ref entry.Seq, 2UL);
                Persist.PmemFlush(region.Slice(64, 16));
                Persist.PmemCommit();
            }
        }
        """);
}
