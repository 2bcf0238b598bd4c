using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pmem.Analyzers
{
    /// <summary>Recognizes the location of a <c>PmemAssign</c> that is marked <c>[PmemPublish]</c>.</summary>
    internal static class PublishTarget
    {
        /// <summary>The <c>[PmemPublish]</c> field, property or ref-returning method <paramref name="location"/> refers to, if any.</summary>
        public static ISymbol? Of(IOperation? location, PmemTypes types)
        {
            ISymbol? member = location?.WithoutConversions() switch
            {
                IFieldReferenceOperation field => field.Field,
                IPropertyReferenceOperation property => property.Property,
                IInvocationOperation invocation => invocation.TargetMethod,
                _ => null,
            };
            return member is not null && (PmemTypes.HasAttribute(member, types.PublishAttribute) || PmemTypes.HasAttribute(member.OriginalDefinition, types.PublishAttribute)) ? member : null;
        }
    }
}
