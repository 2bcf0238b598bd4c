namespace Pmem.Analyzers.Tests;

/// <summary>PMEM002: a write reaches the method's exit with no commit after it.</summary>
public sealed class UncommittedWriteTests
{
    [Fact]
    public Task Flushed_but_not_committed() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data)
            {
                {|PMEM002:Persist.PmemMemcpy(a, data)|};
                Persist.PmemFlush(a);
            }
        }
        """);

    [Fact]
    public Task Early_return_skips_the_commit() => Verify.AnalyzerAsync("""
        class C
        {
            bool M(Span<byte> a, byte[] data, bool quick)
            {
                {|PMEM002:Persist.PmemMemcpy(a, data)|};
                Persist.PmemFlush(a);
                if (quick)
                {
                    return false;
                }

                Persist.PmemCommit();
                return true;
            }
        }
        """);

    [Fact]
    public Task Write_after_the_last_commit() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, Span<byte> b, byte[] data)
            {
                Persist.PmemMemcpy(a, data);
                Persist.PmemFlush(a);
                Persist.PmemCommit();
                {|PMEM002:Persist.PmemMemcpy(b, data)|};
                Persist.PmemFlush(b);
            }
        }
        """);

    [Fact]
    public Task Switch_arm_without_commit() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data, int kind)
            {
                Persist.PmemMemcpy(a, data);
                Persist.PmemFlush(a);
                switch (kind)
                {
                    case 0:
                        Persist.PmemCommit();
                        break;
                    case 1:
                        Persist.PmemCommit();
                        return;
                }

                Persist.PmemCommit();
                {|PMEM002:Persist.PmemAssign(ref a[0], (byte)kind)|};
                Persist.PmemFlush(a);
                if (kind == 2)
                {
                    Persist.PmemCommit();
                }
            }
        }
        """);

    [Fact]
    public Task Commit_in_finally_covers_early_return_and_using() => Verify.AnalyzerAsync("""
        class C
        {
            void M(string path, byte[] data, bool stop)
            {
                using PmemRegion region = PmemRegion.Open(path);
                try
                {
                    Span<byte> a = region.Slice(0, 64);
                    Persist.PmemMemcpy(a, data);
                    Persist.PmemFlush(a);
                    if (stop)
                    {
                        return;
                    }
                }
                finally
                {
                    Persist.PmemCommit();
                }
            }
        }
        """);

    [Fact]
    public Task Dispose_that_commits_is_seen_through_using() => Verify.AnalyzerAsync("""
        sealed class Batch : IDisposable
        {
            public void Dispose() => Persist.PmemCommit();
        }

        class C
        {
            void M(Span<byte> a, byte[] data)
            {
                using (new Batch())
                {
                    Persist.PmemMemcpy(a, data);
                    Persist.PmemFlush(a);
                }
            }
        }
        """);

    [Fact]
    public Task Catch_that_swallows_and_returns() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data)
            {
                try
                {
                    {|PMEM001:{|PMEM002:Persist.PmemMemcpy(a, data)|}|};
                    Persist.PmemFlush(a);
                    Validate(data);
                    Persist.PmemCommit();
                }
                catch (ArgumentException)
                {
                    return;
                }
            }

            static void Validate(byte[] data) => ArgumentOutOfRangeException.ThrowIfZero(data.Length);
        }
        """);

    [Fact]
    public Task Async_early_return_after_await() => Verify.AnalyzerAsync("""
        class C
        {
            async Task<bool> M(Memory<byte> a, byte[] data, Task<bool> check)
            {
                {|PMEM002:Persist.PmemMemcpy(a.Span, data)|};
                Persist.PmemFlush(a.Span);
                if (!await check)
                {
                    return false;
                }

                Persist.PmemCommit();
                return true;
            }
        }
        """);

    [Fact]
    public Task Caller_commits_method_is_exempt() => Verify.AnalyzerAsync("""
        class C
        {
            [PmemCallerCommits]
            void Append(Span<byte> a, byte[] data)
            {
                Persist.PmemMemcpy(a, data);
                Persist.PmemFlush(a);
            }

            void Save(Span<byte> a, byte[] data)
            {
                Append(a, data);
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Caller_commits_method_may_leave_the_flush_too_but_not_commit_unflushed() => Verify.AnalyzerAsync("""
        class C
        {
            [PmemCallerCommits]
            void CopyIn(Span<byte> a, byte[] data) => Persist.PmemMemcpy(a, data);

            [PmemCallerCommits]
            void Misordered(Span<byte> a, byte[] data)
            {
                {|PMEM001:Persist.PmemMemcpy(a, data)|};
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Returned_lambda_that_never_commits() => Verify.AnalyzerAsync("""
        class C
        {
            Action<byte[]> Writer(PmemRegion region)
            {
                return data =>
                {
                    {|PMEM002:Persist.PmemMemcpy(region.Slice(0, data.Length), data)|};
                    Persist.PmemFlush(region.Slice(0, data.Length));
                };
            }

            Action<byte[]> CommittingWriter(PmemRegion region)
            {
                return data =>
                {
                    Persist.PmemMemcpy(region.Slice(0, data.Length), data);
                    Persist.PmemFlush(region.Slice(0, data.Length));
                    Persist.PmemCommit();
                };
            }
        }
        """);

    [Fact]
    public Task Stored_delegate_and_local_function_that_never_commit() => Verify.AnalyzerAsync("""
        class C
        {
            private Action<byte[]>? _write;
            private Func<byte[], Task>? _writeAsync;

            void Install(PmemRegion region)
            {
                _write = delegate (byte[] data)
                {
                    {|PMEM002:Persist.PmemMemcpy(region.Slice(0, data.Length), data)|};
                    Persist.PmemFlush(region.Slice(0, data.Length));
                };
                _writeAsync = async data =>
                {
                    await Task.Yield();
                    {|PMEM002:Persist.PmemMemcpy(region.Slice(0, data.Length), data)|};
                    Persist.PmemFlush(region.Slice(0, data.Length));
                };
            }

            Func<byte[], Task> Committing(PmemRegion region) => async data =>
            {
                await Task.Yield();
                Persist.PmemMemcpy(region.Slice(0, data.Length), data);
                Persist.PmemFlush(region.Slice(0, data.Length));
                Persist.PmemCommit();
            };

            Action<byte[]> Local(PmemRegion region)
            {
                return Write;

                void Write(byte[] data)
                {
                    {|PMEM002:Persist.PmemMemcpy(region.Slice(0, data.Length), data)|};
                    Persist.PmemFlush(region.Slice(0, data.Length));
                }
            }
        }
        """);

    [Fact]
    public Task Lambda_passed_in_a_condition_that_never_commits() => Verify.AnalyzerAsync("""
        class C
        {
            bool M(PmemRegion region, Func<Func<byte[], bool>, bool> run)
            {
                if (run(data =>
                {
                    {|PMEM002:Persist.PmemMemcpy(region.Slice(0, data.Length), data)|};
                    Persist.PmemFlush(region.Slice(0, data.Length));
                    return true;
                }))
                {
                    return true;
                }

                return run(data => data.Length > 0);
            }
        }
        """);
}
