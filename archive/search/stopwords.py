"""Words that say little on their own, in the archive's three main languages.

A plain query word on these lists neither decides what matches nor scores ("what are the
motivations of russia in iraq" ranks on motivations, russia, iraq), unless the query has
nothing else ("to be or not to be"). Inside a quoted phrase every word counts. The index keeps
every word, so phrases with stop words match exactly.
"""

from archive.search.analysis import normalise_word

ENGLISH = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each either else ever
few for from further had has have having he her here hers herself him himself his how i if in
into is it its itself just least less let like may me might more most much must my myself neither
no nor not now of off on once one only or other ought our ours ourselves out over own per quite
rather same shall she should since so some such than that the their theirs them themselves then
there these they this those though through thus to too under until up upon us very via was we
were what when where whether which while who whom whose why will with within without would yet
you your yours yourself yourselves
"""

# Words of long, verbose questions ("what are the particular effects of ... especially in ...")
# that say little about what is asked: left out of plain-word ranking as the list above is.
ENGLISH_VERBOSE = """
able according accordingly across actually afterwards almost alone along already although always
among amongst another anybody anyhow anyone anything anyway anywhere apart appear appropriate
around aside ask asking associated available away became become becomes becoming beforehand
behind believe beside besides best better beyond brief came cannot certain certainly clearly
come comes concerning consequently consider considering contain containing contains
corresponding could course currently definitely described despite different done downwards eg
eight either else elsewhere enough entirely especially etc even ever every everybody everyone
everything everywhere exactly except far fifth five followed following follows former formerly
forth four furthermore get gets getting given gives go goes going gone got gotten hardly happens
hence hereafter hereby herein hereupon hither however ie ignored immediate inasmuch indeed
indicate indicated indicates inner insofar instead interested inward keep keeps kept know knows
known last lately later latter latterly least lest like liked likely little look looking looks
mainly many may maybe mean meanwhile merely might moreover mostly much namely near nearly
necessary need needs never nevertheless next nine nobody none noone normally nothing nowhere
obviously often ones onto others otherwise outside overall particular particularly perhaps
placed please plus possible presumably probably provides quite rather really reasonably
regarding regardless regards relatively respectively said saw say saying says secondly see
seeing seem seemed seeming seems seen self selves sent seven several shall six somebody somehow
someone something sometime sometimes somewhat somewhere soon specified specify specifying still
sub sure take taken tell tends thanks thats thence thereafter thereby therefore therein thereupon
think third thorough thoroughly three throughout thru together took toward towards tried tries
truly try trying twice two unfortunately unless unlikely unto use used useful uses using usually
various viz want wants way well went whatever whence whenever whereafter whereas whereby wherein
whereupon wherever whither whoever whole willing wish wonder yes
"""

PERSIAN = """
و در به از که این را با است برای آن یک تا بر هم نیز شد می ها های ای اما یا اگر هر چه کرد شده
بود باشد دارد وی او ما من شما آنها ایشان خود همین همان چنین چون پس نه بی بیش کم دیگر روی زیر
درباره طی سوی میان بین پیش هنوز باید شود شوند کند کنند کرده بوده اند ام ایم اید
"""

ARABIC = """
في من على إلى عن أن إن ما لا لم لن هذا هذه ذلك تلك التي الذي الذين اللذان اللتان مع كان كانت
قد و أو ثم كل بعد قبل عند بين هو هي هم هن أنا نحن أنت أنتم حتى إذا لكن بل غير أي منذ خلال ضد
نحو لدى حول فيه فيها منه منها عليه عليها إليه إليها به بها له لها هناك هنا أيضا كما
"""

STOP_WORDS = frozenset(
    normalise_word(word).lower()
    for words in (ENGLISH, ENGLISH_VERBOSE, PERSIAN, ARABIC)
    for word in words.split()
)


def is_stop_word(normalised):
    """Whether a normalised, unstemmed word is a stop word."""
    return normalised.lower() in STOP_WORDS
