using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pmem.Analyzers
{
    /// <summary>
    /// Summarizes what a non-primitive callee may do to persistent memory, so that a helper that flushes or commits
    /// (<c>FlushHeader()</c>, a <c>Dispose</c> that commits) is not mistaken for nothing. Source methods are read
    /// through their operation trees, a few calls deep; methods whose body cannot be known (virtual, abstract,
    /// interface, delegates, too deep) may do anything; library methods do nothing to persistent memory.
    /// </summary>
    internal sealed class CalleeEffectsCache
    {
        // Deep enough for a helper that calls a helper that calls the primitives; deeper chains count as "may do anything".
        private const int MaxDepth = 4;

        private readonly Compilation _compilation;
        private readonly PmemTypes _types;
        private readonly ConcurrentDictionary<IMethodSymbol, CallEffects> _summaries = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, (PrimitiveKind Kind, CallEffects Effects)> _calls = new(SymbolEqualityComparer.Default);

        public CalleeEffectsCache(Compilation compilation, PmemTypes types)
        {
            _compilation = compilation;
            _types = types;
        }

        /// <summary>Classifies a call as the dataflow sees it.</summary>
        public PrimitiveKind Classify(IMethodSymbol method, ITypeSymbol? receiverType, CancellationToken cancellationToken, out CallEffects effects)
        {
            // Only a call that may dispatch elsewhere depends on its receiver; any other is classified once per compilation.
            bool dispatches = method.IsVirtual || method.IsAbstract || method.IsOverride || method.ContainingType.TypeKind == TypeKind.Interface;
            if (!dispatches && _calls.TryGetValue(method, out (PrimitiveKind Kind, CallEffects Effects) known))
            {
                effects = known.Effects;
                return known.Kind;
            }

            PrimitiveKind kind = ClassifyUncached(method, receiverType, cancellationToken, out effects);
            if (!dispatches)
            {
                _calls.TryAdd(method, (kind, effects));
            }

            return kind;
        }

        private PrimitiveKind ClassifyUncached(IMethodSymbol method, ITypeSymbol? receiverType, CancellationToken cancellationToken, out CallEffects effects)
        {
            effects = CallEffects.None;
            PrimitiveKind primitive = ClassifyPrimitive(method);
            if (primitive != PrimitiveKind.None)
            {
                return primitive;
            }

            if (PmemTypes.HasAttribute(method, _types.CallerCommitsAttribute))
            {
                return PrimitiveKind.CallerCommits;
            }

            effects = EffectsOf(method, receiverType, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default), 0, cancellationToken);
            return effects == CallEffects.None ? PrimitiveKind.None : PrimitiveKind.Opaque;
        }

        /// <summary>Which primitive <paramref name="method"/> is, if it is one of the four on a <c>[PmemPrimitives]</c> class.</summary>
        public PrimitiveKind ClassifyPrimitive(IMethodSymbol method)
        {
            if (!method.IsStatic || !_types.IsPrimitivesClass(method.ContainingType))
            {
                return PrimitiveKind.None;
            }

            return method.Name switch
            {
                "PmemMemcpy" => PrimitiveKind.Memcpy,
                "PmemAssign" => PrimitiveKind.Assign,
                "PmemFlush" => PrimitiveKind.Flush,
                "PmemCommit" => PrimitiveKind.Commit,
                _ => PrimitiveKind.None,
            };
        }

        private CallEffects EffectsOf(IMethodSymbol method, ITypeSymbol? receiverType, HashSet<IMethodSymbol> inProgress, int depth, CancellationToken cancellationToken)
        {
            if (method.MethodKind == MethodKind.DelegateInvoke)
            {
                return CallEffects.All;
            }

            IMethodSymbol target = ResolveImplementation(method, receiverType);
            target = target.PartialImplementationPart ?? target;
            if (ClassifyPrimitive(target) is PrimitiveKind kind and not PrimitiveKind.None)
            {
                return kind switch
                {
                    PrimitiveKind.Flush => CallEffects.MayFlush,
                    PrimitiveKind.Commit => CallEffects.MayCommit,
                    _ => CallEffects.MayWrite,
                };
            }

            if (PmemTypes.HasAttribute(target, _types.CallerCommitsAttribute))
            {
                return CallEffects.MayWrite;
            }

            bool inSource = target.DeclaringSyntaxReferences.Length > 0;
            if (!inSource)
            {
                // Library code cannot name the user's primitives class; a library virtual dispatching into user code is
                // resolved above when the receiver's type is known.
                return CallEffects.None;
            }

            if (target.IsAbstract || ((target.IsVirtual || target.IsOverride) && !target.IsSealed && !target.ContainingType.IsSealed) || target.ContainingType.TypeKind == TypeKind.Interface)
            {
                return CallEffects.All;
            }

            if (_summaries.TryGetValue(target, out CallEffects cached))
            {
                return cached;
            }

            if (depth >= MaxDepth)
            {
                return CallEffects.All;
            }

            if (!inProgress.Add(target))
            {
                // Recursion: the effects are those of the rest of the cycle, already being summed.
                return CallEffects.None;
            }

            CallEffects effects = SummarizeBody(target, inProgress, depth, cancellationToken);
            inProgress.Remove(target);
            if (depth == 0 || effects == CallEffects.All)
            {
                _summaries.TryAdd(target, effects);
            }

            return effects;
        }

        private CallEffects SummarizeBody(IMethodSymbol method, HashSet<IMethodSymbol> inProgress, int depth, CancellationToken cancellationToken)
        {
            CallEffects effects = CallEffects.None;
            foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
            {
                SyntaxNode declaration = reference.GetSyntax(cancellationToken);
#pragma warning disable RS1030 // One semantic model per summarized callee, cached: the only way to see a helper's calls.
                SemanticModel model = _compilation.GetSemanticModel(declaration.SyntaxTree);
#pragma warning restore RS1030
                if (model.GetOperation(declaration, cancellationToken) is not { } body)
                {
                    // A partial method without a body, or syntax the compiler does not bind: assume the worst.
                    return CallEffects.All;
                }

                foreach (IOperation operation in body.Descendants())
                {
                    effects |= operation switch
                    {
                        IInvocationOperation invocation => EffectsOf(invocation.TargetMethod, invocation.Instance?.WithoutConversions().Type, inProgress, depth + 1, cancellationToken),
                        IObjectCreationOperation { Constructor: { } constructor } => EffectsOf(constructor, null, inProgress, depth + 1, cancellationToken),
                        _ => CallEffects.None,
                    };
                    if (effects == CallEffects.All)
                    {
                        return effects;
                    }
                }
            }

            return effects;
        }

        /// <summary>The method that actually runs when the receiver's static type is a source type (e.g. <c>Dispose</c> of a <c>using</c>).</summary>
        private static IMethodSymbol ResolveImplementation(IMethodSymbol method, ITypeSymbol? receiverType)
        {
            if (receiverType is null || receiverType.DeclaringSyntaxReferences.Length == 0)
            {
                return method;
            }

            if (method.ContainingType.TypeKind == TypeKind.Interface && receiverType.FindImplementationForInterfaceMember(method) is IMethodSymbol implementation)
            {
                return implementation;
            }

            if (method.IsVirtual || method.IsAbstract || method.IsOverride)
            {
                for (ITypeSymbol? type = receiverType; type is not null; type = type.BaseType)
                {
                    foreach (ISymbol member in type.GetMembers(method.Name))
                    {
                        if (member is IMethodSymbol candidate && IsOverrideOf(candidate, method))
                        {
                            return candidate;
                        }
                    }
                }
            }

            return method;
        }

        private static bool IsOverrideOf(IMethodSymbol candidate, IMethodSymbol method)
        {
            for (IMethodSymbol? current = candidate; current is not null; current = current.OverriddenMethod)
            {
                if (SymbolEqualityComparer.Default.Equals(current, method))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
