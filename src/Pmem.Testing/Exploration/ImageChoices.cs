namespace Pmem.Testing.Exploration;

/// <summary>
/// Walks the images possible at one crash point as choice vectors: for undetermined unit i, how many of its pending
/// versions persisted (0 to <c>radix[i] - 1</c>). All of them in odometer order when there are few enough, otherwise
/// a reproducible random sample.
/// </summary>
internal sealed class ImageChoices
{
    private readonly int[] _radix;
    private readonly Random? _random;
    private readonly long _toProduce;
    private long _produced;

    public ImageChoices(int[] radix, long exhaustiveLimit, int samples, Random random)
    {
        _radix = radix;
        Current = new int[radix.Length];
        PossibleImages = CountImages(radix);
        IsSampled = PossibleImages > exhaustiveLimit;
        _random = IsSampled ? random : null;
        _toProduce = IsSampled ? samples : PossibleImages;
    }

    /// <summary>How many images the crash point admits, saturating at <see cref="long.MaxValue"/>.</summary>
    public long PossibleImages { get; }

    public bool IsSampled { get; }

    /// <summary>The current choice for every undetermined unit.</summary>
    public int[] Current { get; }

    public bool MoveNext()
    {
        if (_produced == _toProduce)
        {
            return false;
        }

        if (_random is null)
        {
            if (_produced > 0)
            {
                Increment();
            }
        }
        else
        {
            Sample();
        }

        _produced++;
        return true;
    }

    /// <summary>
    /// Sample 0 keeps nothing undetermined and sample 1 keeps everything: the two images a reasoning mistake most often
    /// breaks. Every other sample first draws a bias, then keeps each unit's newest version with that probability and
    /// an older one otherwise, so samples range from "almost nothing persisted" to "almost everything did" instead of
    /// all hovering around half.
    /// </summary>
    private void Sample()
    {
        if (_produced < 2)
        {
            for (int i = 0; i < _radix.Length; i++)
            {
                Current[i] = _produced == 0 ? 0 : _radix[i] - 1;
            }

            return;
        }

        double keepNewest = _random!.NextDouble();
        for (int i = 0; i < _radix.Length; i++)
        {
            int newest = _radix[i] - 1;
            Current[i] = _random.NextDouble() < keepNewest ? newest : _random.Next(newest);
        }
    }

    private void Increment()
    {
        for (int i = 0; i < _radix.Length; i++)
        {
            if (++Current[i] < _radix[i])
            {
                return;
            }

            Current[i] = 0;
        }
    }

    private static long CountImages(int[] radix)
    {
        long count = 1;
        foreach (int choices in radix)
        {
            if (count > long.MaxValue / choices)
            {
                return long.MaxValue;
            }

            count *= choices;
        }

        return count;
    }
}
