using System.Text;

namespace Pmem.Testing;

/// <summary>A crash image that failed the check, with everything needed to understand why it can happen.</summary>
public sealed class CrashCounterexample
{
    internal CrashCounterexample(CrashImage image, int seed, IReadOnlyList<StoreOutcome> undeterminedStores, Exception failure)
    {
        Model = image.Model;
        CrashPoint = image.CrashPoint;
        ImageNumber = image.ImageNumber;
        PossibleImages = image.PossibleImages;
        IsSampled = image.IsSampled;
        Seed = seed;
        Acknowledged = image.Acknowledged;
        UndeterminedStores = undeterminedStores;
        Failure = failure;
        Image = image.ToArray();
    }

    /// <summary>The model under which the image is possible.</summary>
    public PmemModel Model { get; }

    /// <summary>Where the power failed.</summary>
    public CrashPoint CrashPoint { get; }

    /// <summary>1-based number of the image at its crash point; the same seed checks the same images in the same order.</summary>
    public long ImageNumber { get; }

    /// <summary>How many images the crash point admits.</summary>
    public long PossibleImages { get; }

    /// <summary>Whether the crash point was sampled rather than explored exhaustively.</summary>
    public bool IsSampled { get; }

    /// <summary>The seed of the exploration.</summary>
    public int Seed { get; }

    /// <summary>What had been acknowledged before the crash point.</summary>
    public IReadOnlyList<object> Acknowledged { get; }

    /// <summary>The stores not yet guaranteed durable at the crash point, in program order, with what the image kept of each.</summary>
    public IReadOnlyList<StoreOutcome> UndeterminedStores { get; }

    /// <summary>What the check threw.</summary>
    public Exception Failure { get; }

    /// <summary>A copy of the failing image, as it was handed to the check.</summary>
    public byte[] Image { get; }

    /// <summary>The stores the image lost entirely.</summary>
    public IEnumerable<StoreOutcome> LostStores => UndeterminedStores.Where(store => store.Fate == StoreFate.Lost);

    /// <summary>The stores the image kept only in part.</summary>
    public IEnumerable<StoreOutcome> TornStores => UndeterminedStores.Where(store => store.Fate == StoreFate.Torn);

    /// <summary>A readable report: the crash point, what was acknowledged, what was kept, lost or torn and why, and the check's failure.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"Crash-consistency check failed under the {Model} model, {CrashPoint}.");
        text.AppendLine(IsSampled
            ? $"Image {ImageNumber} of a random sample (seed {Seed}) of the {PossibleImages} images possible there."
            : $"Image {ImageNumber} of the {PossibleImages} images possible there (all checked).");
        text.AppendLine(Acknowledged.Count == 0
            ? "Nothing had been acknowledged."
            : $"Acknowledged before the crash: {string.Join(", ", Acknowledged.Select(fact => $"\"{fact}\""))}.");
        if (UndeterminedStores.Count == 0)
        {
            text.AppendLine("Every store was durable: the check fails on the state the scenario left.");
        }
        else
        {
            text.AppendLine("Stores not yet durable, and what this image kept of them:");
            foreach (StoreOutcome store in UndeterminedStores)
            {
                text.Append("  ").AppendLine(store.ToString());
            }
        }

        text.Append($"The check failed: {Failure.GetType().Name}: {Failure.Message}");
        return text.ToString();
    }
}
