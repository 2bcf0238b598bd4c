using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pmem.Analyzers
{
    /// <summary>
    /// Checks code that writes persistent memory through a <c>[PmemPrimitives]</c> class: every write flushed
    /// (PMEM001) and committed (PMEM002) on every path, <c>PmemAssign</c> failure-atomic (PMEM003), no plain stores
    /// into a <c>PmemRegion</c> (PMEM004), publishing only after what it covers is durable (PMEM005), no redundant
    /// fences or flushes (PMEM006). See <c>docs/analyzer.md</c>.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class PmemDurabilityAnalyzer : DiagnosticAnalyzer
    {
        private readonly DurabilityEngine _engine;

        /// <summary>Creates the analyzer as the compiler loads it.</summary>
        public PmemDurabilityAnalyzer()
            : this(DurabilityEngine.StructuredWithGraphFallback)
        {
        }

        /// <summary>Creates the analyzer with a chosen engine, so that tests can hold the engines to the same findings.</summary>
        internal PmemDurabilityAnalyzer(DurabilityEngine engine)
        {
            _engine = engine;
        }

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => DiagnosticDescriptors.All;

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            // Generated code is not analyzed. Reporting is left on: the analyzer reports only inside the bodies it
            // analyzed, so filtering its diagnostics out of generated code would find nothing, and the filter costs a
            // walk of every token of a file at the file's first diagnostic.
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.ReportDiagnostics);
            context.RegisterCompilationStartAction(start =>
            {
                if (PmemTypes.TryCreate(start.Compilation) is not { } types)
                {
                    // No Pmem in this compilation: nothing can write persistent memory through it.
                    return;
                }

                var callees = new CalleeEffectsCache(start.Compilation, types);
                RuleHelpLinks links = RuleHelpLinks.From(start.Options);
                start.RegisterOperationBlockAction(block => new MethodAnalysis(block, types, callees, links, _engine).Run());
            });
        }

        /// <summary>One method's (or initializer's) analysis: everything it needs is computed once, lazily.</summary>
        private sealed class MethodAnalysis
        {
            private readonly OperationBlockAnalysisContext _context;
            private readonly PmemTypes _types;
            private readonly CalleeEffectsCache _callees;
            private readonly RuleHelpLinks _links;
            private readonly DurabilityEngine _engine;
            private readonly List<IOperation> _operations = new();
            private LocalAssignments? _locals;

            public MethodAnalysis(OperationBlockAnalysisContext context, PmemTypes types, CalleeEffectsCache callees, RuleHelpLinks links, DurabilityEngine engine)
            {
                _context = context;
                _types = types;
                _callees = callees;
                _links = links;
                _engine = engine;
            }

            private LocalAssignments Locals => _locals ??= new LocalAssignments(_operations);

            public void Run()
            {
                // One cheap pass decides whether the method touches pmem at all; most methods stop here. It keeps the
                // operations it walked, so that the later passes need not walk the tree again.
                bool writesThroughPrimitives = false;
                bool nestedFunctionWrites = false;
                bool mentionsRegion = false;
                var assigns = new List<IInvocationOperation>();
                foreach (IOperation root in _context.OperationBlocks)
                {
                    foreach (IOperation operation in root.DescendantsAndSelf())
                    {
                        _operations.Add(operation);
                        if (operation is IInvocationOperation invocation && IsTracked(invocation.TargetMethod))
                        {
                            writesThroughPrimitives = true;
                            nestedFunctionWrites = nestedFunctionWrites || IsInNestedFunction(invocation, root);
                            if (_callees.ClassifyPrimitive(invocation.TargetMethod) == PrimitiveKind.Assign)
                            {
                                assigns.Add(invocation);
                            }
                        }

                        mentionsRegion |= _types.IsRegion(operation.Type);
                    }
                }

                if (assigns.Count > 0)
                {
                    ReportMisalignedAssigns(assigns);
                }

                if (mentionsRegion)
                {
                    ReportPlainStores();
                }

                if (writesThroughPrimitives)
                {
                    AnalyzeDurability(nestedFunctionWrites);
                }
            }

            /// <summary>Whether <paramref name="operation"/> runs in a lambda or local function of <paramref name="root"/>, which has a graph of its own.</summary>
            private static bool IsInNestedFunction(IOperation operation, IOperation root)
            {
                for (IOperation? current = operation.Parent; current is not null && current != root; current = current.Parent)
                {
                    if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                    {
                        return true;
                    }
                }

                return false;
            }

            private bool IsTracked(IMethodSymbol method) =>
                _callees.ClassifyPrimitive(method) != PrimitiveKind.None || PmemTypes.HasAttribute(method, _types.CallerCommitsAttribute);

            private void ReportMisalignedAssigns(List<IInvocationOperation> assigns)
            {
                var alignment = new AlignmentAnalysis(_types, Locals);
                foreach (IInvocationOperation assign in assigns)
                {
                    if (assign.TargetMethod.Parameters.FirstOrDefault()?.Type is not { } type || AlignmentAnalysis.SizeOf(type) is not (> 1 and var size))
                    {
                        continue;
                    }

                    if (alignment.OffsetFromAlignedBase(assign.ArgumentValue(0)) is { } offset && offset % size != 0)
                    {
                        Report(DiagnosticDescriptors.MisalignedAssign, assign, size, offset);
                    }
                }
            }

            private void ReportPlainStores()
            {
                var detector = new PlainStoreDetector(new PmemMemoryTracker(_types, Locals), _callees);
                var roots = new HashSet<IOperation>(_context.OperationBlocks);
                foreach (IOperation operation in _operations)
                {
                    if (!roots.Contains(operation) && detector.Find(operation) is { } store)
                    {
                        ImmutableDictionary<string, string?> properties = store.Replacement is null
                            ? ImmutableDictionary<string, string?>.Empty
                            : ImmutableDictionary<string, string?>.Empty.Add(PlainStoreDetector.ReplacementProperty, store.Replacement);
                        _context.ReportDiagnostic(Diagnostic.Create(_links.For(DiagnosticDescriptors.PlainStoreToPmem), operation.Syntax.GetLocation(), properties, store.Description));
                    }
                }
            }

            /// <param name="nestedFunctionWrites">Whether a lambda or local function calls the primitives: their bodies are analyzed on their own graphs.</param>
            private void AnalyzeDurability(bool nestedFunctionWrites)
            {
                var graphs = new Queue<(ControlFlowGraph Graph, ISymbol? Owner)>();

                foreach (IOperation root in _context.OperationBlocks)
                {
                    if (root is IMethodBodyOperation or IConstructorBodyOperation or IBlockOperation
                        || (root.Kind is OperationKind.FieldInitializer or OperationKind.PropertyInitializer))
                    {
                        if (_engine != DurabilityEngine.GraphOnly)
                        {
                            var structured = new StructuredDataflow(NewTransfer());
                            IOperation? body = nestedFunctionWrites ? null : StructuredDataflow.BodyOf(root);
                            if (body is not null && structured.TryRun(body) is { } findings)
                            {
                                ReportDurability(findings, _context.OwningSymbol);
                                continue;
                            }

                            if (_engine == DurabilityEngine.StructuredOnly)
                            {
                                string why = body is null ? "a nested function writes, or the root is not a body" : $"'{structured.Declined?.Syntax}' ({structured.Declined?.Kind})";
                                throw new System.InvalidOperationException($"The structured engine declined '{_context.OwningSymbol.Name}': {why}");
                            }
                        }

                        graphs.Enqueue((_context.GetControlFlowGraph(root), _context.OwningSymbol));
                    }
                }

                while (graphs.Count > 0)
                {
                    (ControlFlowGraph graph, ISymbol? owner) = graphs.Dequeue();
                    EnqueueNestedGraphs(graph, graphs);
                    if (CallsTrackedMethods(graph))
                    {
                        DurabilityFindings findings = new GraphDataflow(graph, NewTransfer(), _context.CancellationToken).Run();
                        ReportDurability(findings, owner);
                    }
                }
            }

            private DurabilityTransfer NewTransfer() => new(_callees, _types, Locals, _context.CancellationToken);

            private static void EnqueueNestedGraphs(ControlFlowGraph graph, Queue<(ControlFlowGraph Graph, ISymbol? Owner)> graphs)
            {
                foreach (IMethodSymbol localFunction in graph.LocalFunctions)
                {
                    graphs.Enqueue((graph.GetLocalFunctionControlFlowGraph(localFunction), localFunction));
                }

                foreach (BasicBlock block in graph.Blocks)
                {
                    foreach (IOperation statement in block.Operations)
                    {
                        EnqueueLambdas(statement, graph, graphs);
                    }

                    // A returned lambda, or one in a condition, is the block's branch value, not one of its operations.
                    if (block.BranchValue is { } branchValue)
                    {
                        EnqueueLambdas(branchValue, graph, graphs);
                    }
                }
            }

            private static void EnqueueLambdas(IOperation statement, ControlFlowGraph graph, Queue<(ControlFlowGraph Graph, ISymbol? Owner)> graphs)
            {
                foreach (IOperation operation in statement.DescendantsAndSelf())
                {
                    if (operation is IFlowAnonymousFunctionOperation lambda)
                    {
                        graphs.Enqueue((graph.GetAnonymousFunctionControlFlowGraph(lambda), null));
                    }
                }
            }

            private bool CallsTrackedMethods(ControlFlowGraph graph)
            {
                foreach (BasicBlock block in graph.Blocks)
                {
                    foreach (IOperation statement in block.Operations)
                    {
                        if (CallsTrackedMethods(statement))
                        {
                            return true;
                        }
                    }

                    if (block.BranchValue is { } branchValue && CallsTrackedMethods(branchValue))
                    {
                        return true;
                    }
                }

                return false;
            }

            private bool CallsTrackedMethods(IOperation statement)
            {
                foreach (IOperation operation in statement.InEvaluationOrder())
                {
                    if (operation is IInvocationOperation invocation && IsTracked(invocation.TargetMethod))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <param name="findings">What the dataflow found.</param>
            /// <param name="owner">The method or local function the graph is the body of; <see langword="null"/> for a lambda.</param>
            private void ReportDurability(DurabilityFindings findings, ISymbol? owner)
            {
                string name = owner?.Name ?? "lambda";
                bool callerCommits = PmemTypes.HasAttribute(owner, _types.CallerCommitsAttribute);
                // A [PmemCallerCommits] method leaves the commit, and the flush when it does not flush, to its caller.
                IEnumerable<IOperation> notFlushed = callerCommits ? findings.UnflushedAtCommit : findings.UnflushedAtCommit.Union(findings.UnflushedAtExit);
                foreach (IOperation write in notFlushed)
                {
                    string where = findings.UnflushedAtCommit.Contains(write) ? "a PmemCommit" : $"the end of '{name}'";
                    Report(DiagnosticDescriptors.UnflushedWrite, write, where);
                }

                foreach (IOperation write in callerCommits ? Enumerable.Empty<IOperation>() : findings.UncommittedAtExit)
                {
                    Report(DiagnosticDescriptors.UncommittedWrite, write, name);
                }

                foreach (KeyValuePair<IOperation, HashSet<PendingWrite>> publish in findings.EarlyPublishes)
                {
                    // The fix flushes each earlier write still unflushed on some path, then commits.
                    IEnumerable<Location> unflushed = publish.Value
                        .Where(write => !write.IsFlushed && !write.IsCallerCommits)
                        .Select(write => write.Write.Syntax.GetLocation())
                        .Distinct()
                        .OrderBy(location => location.SourceSpan.Start);
                    ISymbol member = PublishTarget.Of(((IInvocationOperation)publish.Key).ArgumentValue(0), _types)!;
                    _context.ReportDiagnostic(Diagnostic.Create(_links.For(DiagnosticDescriptors.PublishBeforeDurable), publish.Key.Syntax.GetLocation(), unflushed, member.Name));
                }

                foreach (IOperation commit in findings.RedundantCommits)
                {
                    Report(DiagnosticDescriptors.RedundantPrimitive, commit, "This PmemCommit is redundant: no write or flush reaches it after the previous PmemCommit on any path");
                }

                foreach (IOperation flush in findings.RedundantFlushes)
                {
                    Report(DiagnosticDescriptors.RedundantPrimitive, flush, "This PmemFlush is redundant: its range is already flushed, and not written since, on every path");
                }
            }

            private void Report(DiagnosticDescriptor descriptor, IOperation operation, params object[] arguments) =>
                _context.ReportDiagnostic(Diagnostic.Create(_links.For(descriptor), operation.Syntax.GetLocation(), arguments));
        }
    }
}
