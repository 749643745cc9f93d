"""French names and descriptions for every slash command, group, option and choice.

discord.py asks the tree's translator for each English string at sync time and sends the
answers as `name_localizations` / `description_localizations`; a French-speaking member
then sees `/resume` instead of `/summary`. Interactions still arrive under the English
names, so the handlers never see the French ones.

Two tables, both keyed by the English string, so adding a command means adding lines here
and an unknown string simply stays English (the translator returns None):

* NAMES for command, group and option names: Discord rejects a whole sync over one bad
  name, so these must be lower-case word characters or hyphens, at most 32 characters,
  and unique among siblings (tests/unit/test_translator.py checks every entry).
* TEXTS for descriptions (at most 100 characters) and choice names.

A cog may also carry its French inline: `locale_str("Add a fact", fr="Ajouter un fait")`;
that wins over the tables.

`/ask` and its `question` option are a contract (scripts, docs and muscle memory use them),
so their names are never localised; only their descriptions are.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Location

from knowledge.models import Language

CONTRACT_NAMES = frozenset({"ask", "question"})

NAMES: dict[str, str] = {
    # Community, help, newsroom
    "help": "aide",
    "summary": "resume",
    "timeline": "chronologie",
    "digest": "bulletin",
    "subscribe": "abonner",
    "unsubscribe": "desabonner",
    "status": "etat",
    "time": "heure",
    "timezone": "fuseau",
    "language": "langue",
    # Curation: the /facts group and its subcommands
    "facts": "faits",
    "add": "ajouter",
    "edit": "modifier",
    "show": "afficher",
    "search": "chercher",
    "history": "historique",
    "revert": "revenir",
    "retire": "retirer",
    "restore": "restaurer",
    "variant": "variante",
    "source": "source",
    "detach": "detacher",
    "quote": "citation",
    "gaps": "lacunes",
    "feedback": "avis",
    "export": "exporter",
    "import": "importer",
    # Curation: options
    "fact_id": "id_fait",
    "source_id": "id_source",
    "date": "date",
    "reason": "raison",
    "revision": "revision",
    "text": "texte",
    "query": "recherche",
    "url": "url",
    "title": "titre",
    "publisher": "editeur",
    "file": "fichier",
    "since": "depuis",
    "action": "action",
}

TEXTS: dict[str, str] = {
    # /ask
    "Ask a question about the story, in English or French": "Poser une question sur l'affaire, en français ou en anglais",
    "Your question, for example: what did WikiLeaks propose?": "Votre question, par exemple : qu'a proposé WikiLeaks ?",
    # /help
    "What I know about the story and how to ask me": "Ce que je sais de l'affaire et comment m'interroger",
    # /summary, /timeline
    "The story in brief: the key facts in order, with dates and sources": (
        "L'affaire en bref : les faits clés dans l'ordre, datés et sourcés"
    ),
    "The chronology of the story, each event with its source": "La chronologie de l'affaire, chaque événement sourcé",
    # /digest
    "A daily digest of the fact-base changes in this channel": (
        "Un résumé quotidien des changements de la base de faits dans ce salon"
    ),
    "Post a digest of the fact-base changes here every day": (
        "Publier ici chaque jour un résumé des changements de la base de faits"
    ),
    "Time of day, 24-hour HH:MM, for example 09:00": "Heure de publication, HH:MM sur 24 heures, par exemple 09:00",
    "Time zone (IANA name), for example Europe/Paris": "Fuseau horaire (nom IANA), par exemple Europe/Paris",
    "Language of the digest (default: yours)": "Langue du résumé (par défaut : la vôtre)",
    "Stop this channel's daily digest": "Arrêter le résumé quotidien de ce salon",
    "Show this channel's digest settings and what is waiting": (
        "Voir les réglages du résumé de ce salon et ce qui est en attente"
    ),
    # Choices
    "English": "anglais",
    "French": "français",
    # /facts (curation)
    "Curate the story's fact base (moderators)": "Gérer la base de faits de l'affaire (modérateurs)",
    "Add a fact (opens a form)": "Ajouter un fait (ouvre un formulaire)",
    "The new fact's id: lowercase letters, digits and hyphens": (
        "Identifiant du nouveau fait : minuscules, chiffres et tirets"
    ),
    "Why you add it (kept in the history)": "Pourquoi vous l'ajoutez (gardé dans l'historique)",
    "Edit a fact (opens a pre-filled form)": "Modifier un fait (ouvre un formulaire prérempli)",
    "The fact to edit": "Le fait à modifier",
    "Why you change it (kept in the history)": "Pourquoi vous le modifiez (gardé dans l'historique)",
    "Show a fact with its sources, status and revision": "Afficher un fait avec ses sources, son état et sa révision",
    "The fact to show": "Le fait à afficher",
    "Find facts by question, id or text": "Chercher des faits par question, identifiant ou texte",
    "A question as people ask it, part of an id, or words of a statement": (
        "Une question telle qu'on la pose, un bout d'identifiant ou des mots d'un énoncé"
    ),
    "Every revision of a fact: who, when, what and why": "Toutes les révisions d'un fait : qui, quand, quoi et pourquoi",
    "The fact whose history to show": "Le fait dont afficher l'historique",
    "Make an earlier revision of a fact current again": "Rétablir une révision antérieure d'un fait",
    "The fact to revert": "Le fait à rétablir",
    "The revision number to go back to (see /facts history)": (
        "Le numéro de la révision à rétablir (voir /faits historique)"
    ),
    "Why (kept in the history)": "Pourquoi (gardé dans l'historique)",
    "Retire a fact: it stops answering but keeps its history": (
        "Retirer un fait : il ne sert plus aux réponses mais garde son historique"
    ),
    "The fact to retire": "Le fait à retirer",
    "Why it is retired (kept in the history)": "Pourquoi il est retiré (gardé dans l'historique)",
    "Restore a retired fact": "Restaurer un fait retiré",
    "The retired fact to restore": "Le fait retiré à restaurer",
    "Add or remove a way people ask for a fact": "Ajouter ou supprimer une façon de demander un fait",
    "The fact": "Le fait",
    "Add or remove the wording": "Ajouter ou supprimer la formulation",
    "The wording's language": "La langue de la formulation",
    "The question as people ask it": "La question telle qu'on la pose",
    "add": "ajouter",
    "remove": "supprimer",
    "Add or update a source, optionally citing it in a fact": (
        "Ajouter ou mettre à jour une source, et la citer dans un fait si besoin"
    ),
    "The source's id: lowercase letters, digits and hyphens": (
        "Identifiant de la source : minuscules, chiffres et tirets"
    ),
    "The article's title": "Le titre de l'article",
    "Who published it": "Qui l'a publié",
    "The article's language": "La langue de l'article",
    "Publication date: YYYY, YYYY-MM or YYYY-MM-DD": "Date de publication : AAAA, AAAA-MM ou AAAA-MM-JJ",
    "The article's address (http or https)": "L'adresse de l'article (http ou https)",
    "A fact that should cite this source": "Un fait qui doit citer cette source",
    "Stop a fact citing a source (the source itself is kept)": (
        "Ne plus citer une source dans un fait (la source est conservée)"
    ),
    "The fact that cites the source": "Le fait qui cite la source",
    "Add, edit or remove a fact's quote (opens a form)": "Ajouter, modifier ou retirer la citation d'un fait",
    "The fact whose quote to edit": "Le fait dont modifier la citation",
    "The source to stop citing": "La source à ne plus citer",
    "Questions the bot could not answer, to link them to facts": (
        "Les questions restées sans réponse, pour les relier à des faits"
    ),
    "Start date YYYY-MM-DD (default: 30 days ago)": "Date de début AAAA-MM-JJ (par défaut : il y a 30 jours)",
    "Answers people voted down, with the question asked": "Les réponses jugées mauvaises, avec la question posée",
    "Download the whole fact base as a JSON file": "Télécharger toute la base de faits en fichier JSON",
    "Replace the fact base with a JSON file (preview first)": (
        "Remplacer la base de faits par un fichier JSON (aperçu d'abord)"
    ),
    "A fact-base JSON file, such as one from /facts export (at most 5 MB)": (
        "Un fichier JSON de base de faits, comme celui de /faits exporter (5 Mo au plus)"
    ),
}

_NAME_LOCATIONS = frozenset({Location.command_name, Location.group_name, Location.parameter_name})


def french_name(english: str) -> str:
    """The French name Discord shows for a command, group or option name (itself if none)."""
    return english if english in CONTRACT_NAMES else NAMES.get(english, english)


def localized_path(path: str, language: Language) -> str:
    """'facts gaps' -> 'faits lacunes' in French, as a member types it after the slash."""
    if language != "fr":
        return path
    return " ".join(french_name(part) for part in path.split())


class StoryTranslator(app_commands.Translator):
    """French for Discord's `fr` locale; every other locale keeps the English strings."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext[Any, Any],
    ) -> str | None:
        if locale is not discord.Locale.french:
            return None
        inline = string.extras.get("fr")
        if isinstance(inline, str) and inline:
            return inline
        if context.location in _NAME_LOCATIONS:
            if string.message in CONTRACT_NAMES:
                return None
            return NAMES.get(string.message)
        return TEXTS.get(string.message)
