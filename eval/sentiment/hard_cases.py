"""The label and ordering checks of shared/sentiment/tests/hard_cases.rs on
overall scores (not topics, key phrases or the JSON shape), replayed by
train.py on a validation fit to choose the blend's shares: a setting that
breaks one of the crate's own checks is not chosen. The crate's tests stay
the authority (`cargo test -p cm-sentiment`); keep this list in step."""

P, N, U = "positive", "negative", "neutral"
LABELS = [
 ("The photos were not good.", N), ("I wasn't happy with the results.", N), ("I was not happy at all", N),
 ("We would never recommend him.", N), ("Would not book again.", N), ("No communication whatsoever.", N),
 ("The photos were not bad.", P), ("No complaints, everything went smoothly.", P), ("She never disappoints.", P),
 ("Without any hesitation, book her.", P), ("No, the kids and everyone were happy", P), ("No fuss and quick delivery", P),
 ("I can't recommend her enough!", P), ("Not good enough for a wedding.", N), ("Neither great nor terrible.", U),
 ("The photos were great but he was two hours late.", N), ("He was late, but the photos are stunning.", P),
 ("Not cheap, but worth every penny.", P), ("The photos were nice. However, the delivery took three months.", N),
 ("Although the photos were nice, the delivery was slow.", N),
 ("😍", P), ("👍👍", P), ("❤️", P), ("🙂", P), (":)", P), ("😡", N), ("👎", N), (":(", N), ("🤷", U), ("Photos are ready 😍😍😍", P),
 ("TERRIBLE", N), ("TERRIBLE. Avoid.", N),
 ("Half the shots are blurry and overexposed.", N), ("Total no-show on our wedding day.", N), ("Rude and unprofessional.", N),
 ("He missed shots of the first kiss.", N), ("The gallery took forever.", N), ("Still waiting for our photos.", N),
 ("Photos were out of focus.", N), ("Stunning, well lit portraits.", P), ("Very responsive and always on time.", P),
 ("She went above and beyond.", P), ("Five stars", P), ("10/10 would book again", P),
 ("We booked a two hour session in the park.", U), ("The package includes 50 edited images.", U),
 ("Can we move the shoot to Saturday?", U), ("It was fine.", U), ("We will decide about the album later.", U),
 ("Absolutely awful experience.", N),
]
ORDER = [  # score(a) > score(b)
 ("The photos were good.", "The photos were not bad."),
 ("The photos were extremely good", "The photos were good"), ("The photos were good", "The photos were slightly good"),
 ("kind of blurry", "blurry"), ("a bit late", "late"), ("not very good", "not good"),
 ("The photos were terrible", "The photos were TERRIBLE"), ("Great photos!!!", "Great photos!"), ("Great photos!", "Great photos"),
 ("Blurry photos", "Blurry photos!!!"),
]
def texts():
    out = [t for t, _ in LABELS]
    for a, b in ORDER:
        out += [a, b]
    return out
def failures(score_of, threshold):
    def lab(s):
        return P if s >= threshold else N if s <= -threshold else U
    fails = [f"label {t!r}: {lab(score_of[t])} {score_of[t]:+.3f}, want {w}" for t, w in LABELS if lab(score_of[t]) != w]
    fails += [f"order {a!r} {score_of[a]:+.3f} !> {b!r} {score_of[b]:+.3f}" for a, b in ORDER if not score_of[a] > score_of[b]]
    return fails
