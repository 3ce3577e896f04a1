"""Original French text the page generator composes pages from: headlines, paragraphs,
short excerpts, captions and people. Everything here is invented (towns, people, clubs);
the candidates of the test watchlists (Claire Martin, Jean-Baptiste Lefort, Élodie
Arnaud) appear now and then, as they would in a local campaign."""

from __future__ import annotations

HEADLINES = [
    "Budget 2027 : la majorité municipale défend ses choix",
    "Tramway : la concertation prolongée jusqu'en janvier",
    "À Pontmarin, l'école des Tilleuls rouvre après deux ans de travaux",
    "Claire Martin présente ses colistiers au marché couvert",
    "Le conseil communautaire vote la hausse de la taxe d'enlèvement des ordures",
    "Jean-Baptiste Lefort veut un référendum local sur la rocade",
    "Les pompiers volontaires manquent dans les villages du canton",
    "Élodie Arnaud promet une maison de santé à Bourg-Vézin",
    "Crue de la Brenne : les riverains réclament des digues",
    "La piscine intercommunale fermera trois mois pour vidange",
    "Municipales : trois listes déposées à Lérac, une première",
    "Le centre social des Genêts menacé par la baisse des subventions",
    "Quartier de la gare : les commerçants inquiets du chantier",
    "Un collectif d'habitants s'oppose à l'extension de la zone d'activités",
    "Transports scolaires : les horaires changent à la rentrée",
    "La médiathèque ouvre le dimanche à titre d'essai",
    "Éoliennes du plateau : l'enquête publique s'ouvre lundi",
    "Petite enfance : quarante places de crèche supplémentaires",
    "Le maire de Saint-Ours-la-Vallée ne se représentera pas",
    "Logement social : la préfecture met la commune en demeure",
    "Sécurité routière : des radars pédagogiques rue de la République",
    "Fête de la Saint-Jean : le feu d'artifice annulé faute de budget",
    "Élections départementales : le calendrier des réunions publiques",
    "Ce que contient vraiment le plan vélo de l'agglomération",
    "Six questions sur la fusion des communes de Lérac et Vézin",
    "Tribune : pour une démocratie locale qui écoute enfin",
    "Le club de rugby de Pontmarin cherche un nouveau terrain",
    "Réunion publique houleuse sur le projet de méthaniseur",
    "Les chiffres du chômage dans le bassin d'emploi au troisième trimestre",
    "Le marché de Noël s'installera place Carnot",
    "Désertification médicale : le département recrute des médecins salariés",
    "Un nouveau sens de circulation dans le centre ancien",
    "L'ancienne filature transformée en tiers-lieu",
    "Carte scolaire : deux classes menacées de fermeture",
    "Le budget participatif retient onze projets d'habitants",
    "Entretien : « La campagne se joue dans les quartiers »",
]

PARAGRAPHS = [
    "Réunis jeudi soir dans la salle du conseil, les élus ont débattu pendant près de trois "
    "heures. L'opposition a dénoncé un budget « de renoncement », tandis que l'adjoint aux "
    "finances a rappelé que la commune n'avait pas augmenté ses taux depuis six ans.",
    "Le projet, chiffré à 38 millions d'euros, doit relier la gare au campus en moins de vingt "
    "minutes. Les associations de riverains demandent une étude complémentaire sur le bruit "
    "et sur le stationnement dans les rues adjacentes.",
    "Les parents d'élèves, venus nombreux, ont salué la fin d'un chantier qui aura duré deux "
    "années scolaires entières. Les enfants avaient été accueillis dans des bâtiments "
    "modulaires installés sur le parking du gymnase.",
    "« Nous voulons une liste qui ressemble à la ville », a expliqué la candidate devant une "
    "centaine de personnes. Parmi ses colistiers figurent une infirmière, un artisan "
    "boulanger et deux étudiants de l'IUT.",
    "La hausse, de 4 % en moyenne, représentera une vingtaine d'euros par foyer et par an. "
    "Elle doit financer la nouvelle déchetterie et le passage à la collecte des biodéchets "
    "prévu pour le printemps.",
    "Selon lui, seule une consultation directe des habitants permettrait de sortir du blocage. "
    "Ses adversaires rappellent que le dossier a déjà fait l'objet de deux enquêtes "
    "publiques et d'un avis favorable du commissaire enquêteur.",
    "Dans plusieurs communes du canton, les casernes ne parviennent plus à assurer une garde "
    "complète en journée. Le service départemental envisage de regrouper certains centres "
    "de secours, ce que refusent les maires concernés.",
    "La future maison de santé accueillerait quatre médecins généralistes, deux infirmiers "
    "et un kinésithérapeute. Le terrain, propriété de la commune, se situe à côté de la "
    "pharmacie, route de Lérac.",
    "Au plus fort de l'épisode, l'eau est montée de près d'un mètre dans les caves du quartier "
    "bas. Les habitants, excédés, ont remis une pétition de 600 signatures au sous-préfet "
    "lors de sa visite de mardi.",
    "Les nageurs des clubs seront accueillis dans les bassins voisins, avec des créneaux "
    "réduits. La direction promet une réouverture pour les vacances de printemps, si les "
    "travaux sur la filtration ne prennent pas de retard.",
    "Jusqu'ici, les électeurs n'avaient jamais eu le choix entre plus de deux listes. Cette "
    "fois, une liste citoyenne sans étiquette s'ajoute à celles du maire sortant et de son "
    "ancien adjoint.",
    "Le centre social accueille chaque semaine plus de quatre cents personnes, pour l'aide aux "
    "devoirs, les ateliers de cuisine ou les permanences d'accès aux droits. Sa directrice "
    "redoute la suppression de deux postes d'animateur.",
    "Depuis le début des travaux, la fréquentation a chuté de moitié selon l'union des "
    "commerçants. La municipalité a promis une exonération partielle des droits de terrasse "
    "et une signalétique provisoire.",
    "Le collectif, qui revendique trois cents membres, estime que la zone grignoterait vingt "
    "hectares de terres agricoles. Il a déposé un recours gracieux auprès du président de "
    "l'intercommunalité.",
    "Les cars partiront désormais un quart d'heure plus tôt le matin pour desservir le "
    "nouveau lycée. Les familles des hameaux les plus éloignés s'inquiètent de temps de "
    "trajet dépassant l'heure.",
    "L'expérience durera six mois. Si le public est au rendez-vous, l'ouverture dominicale "
    "sera pérennisée, avec le recrutement d'un agent supplémentaire à mi-temps.",
    "Les huit machines prévues culmineraient à 180 mètres en bout de pale. Les opposants "
    "craignent pour le paysage du plateau, les partisans mettent en avant les retombées "
    "fiscales pour les communes.",
    "Les nouvelles places seront réparties entre la crèche municipale et une micro-crèche "
    "associative. La liste d'attente compte aujourd'hui plus de cent vingt familles.",
    "Après trois mandats, l'édile a annoncé sa décision lors des vœux, sans désigner de "
    "successeur. Deux de ses adjoints se disent prêts à conduire une liste.",
    "La commune ne compte que 11 % de logements sociaux, loin des 20 % exigés par la loi. "
    "Le préfet peut désormais délivrer lui-même des permis de construire sur son territoire.",
    "Les radars, qui affichent la vitesse sans verbaliser, seront déplacés tous les deux mois. "
    "Les relevés serviront à décider d'éventuels aménagements, comme des plateaux surélevés.",
    "Le comité des fêtes regrette une décision prise sans concertation. La mairie explique "
    "avoir dû arbitrer entre le feu d'artifice et l'entretien des terrains de sport.",
    "Chaque candidat tiendra au moins une réunion dans chacun des quatre cantons. Le "
    "calendrier complet est affiché en mairie et publié sur le site de la préfecture.",
    "Le plan prévoit 45 kilomètres de pistes d'ici 2030, dont la moitié en site propre. Les "
    "associations de cyclistes jugent l'ambition réelle mais le calendrier flou.",
    "Une fusion permettrait de mutualiser les services techniques et de garder l'école. Mais "
    "à Vézin, beaucoup craignent de perdre leur mairie et leur identité.",
    "Nous croyons qu'une ville se gouverne avec ses habitants et non pour eux. Les conseils "
    "de quartier doivent disposer d'un vrai budget et d'un droit de saisine du conseil "
    "municipal.",
    "Le club compte plus de trois cents licenciés, dont cent cinquante jeunes. Le terrain "
    "actuel, inondable, a été impraticable un week-end sur trois la saison dernière.",
    "Plusieurs habitants ont quitté la salle avant la fin, dénonçant des réponses évasives "
    "sur les odeurs et le trafic de camions. Le porteur de projet promet une visite d'une "
    "installation comparable.",
    "Le taux de chômage s'établit à 7,9 %, en baisse de trois dixièmes sur un an. Les "
    "secteurs de la logistique et du bâtiment continuent de recruter.",
    "Une quarantaine de chalets s'installeront du 5 au 24 décembre. La patinoire, jugée trop "
    "coûteuse en énergie, est remplacée par une piste de luge synthétique.",
    "Les six médecins recrutés seront répartis dans trois centres de santé départementaux. "
    "Ils seront salariés, ce qui répond aux attentes des jeunes praticiens.",
    "Le nouveau plan de circulation ferme la Grand-Rue aux voitures le samedi. Les "
    "riverains conservent un accès, de même que les livraisons avant dix heures.",
    "Le bâtiment de briques, vide depuis 2009, accueillera un atelier partagé, un café "
    "associatif et des bureaux pour de jeunes entreprises.",
    "L'inspection académique justifie ces fermetures par la baisse des effectifs. Les maires "
    "concernés ont écrit au recteur pour demander un moratoire.",
    "Parmi les projets retenus figurent un jardin partagé, des boîtes à livres et la "
    "rénovation d'un city-stade. Ils seront réalisés d'ici la fin de l'année prochaine.",
    "« On ne gagne pas une ville depuis son centre. Il faut aller frapper aux portes, écouter "
    "les gens qui ne viennent jamais aux réunions publiques. »",
]

EXCERPTS = [
    "Les élus ont débattu près de trois heures jeudi soir.",
    "Le dossier revient sur la table du conseil en décembre.",
    "Les parents saluent la fin d'un long chantier.",
    "Une centaine de personnes étaient présentes samedi matin.",
    "Vingt euros de plus par foyer et par an.",
    "Une proposition qui divise ses adversaires.",
    "Les casernes peinent à assurer les gardes en journée.",
    "Quatre médecins pourraient s'y installer dès 2028.",
    "Une pétition de 600 signatures remise au sous-préfet.",
    "Réouverture espérée pour les vacances de printemps.",
    "Une liste citoyenne s'ajoute aux deux listes habituelles.",
    "Deux postes d'animateur pourraient disparaître.",
    "La fréquentation a chuté de moitié selon les commerçants.",
    "Vingt hectares de terres agricoles en jeu.",
    "Départ un quart d'heure plus tôt le matin.",
    "Une expérience de six mois, avant décision.",
]

CAPTIONS = [
    "La foule devant la mairie, samedi en fin de matinée.",
    "Les bénévoles du comité des fêtes installent les stands.",
    "Vue du chantier depuis le pont de la Brenne.",
    "Le cortège a traversé le centre ancien sans incident.",
    "Les premiers visiteurs dans la médiathèque rénovée.",
    "Le stade inondé après les pluies de la semaine.",
]

AUTHORS = [
    "Nadine Perrot",
    "Yannick Le Goff",
    "Sabrina Haddad",
    "Olivier Vasseur",
    "Mathilde Crozet",
    "Karim Benali",
    "Anne-Laure Pichon",
    "Thibault Mercier",
]

SECTIONS = [
    ("politique", "Politique"),
    ("societe", "Société"),
    ("environnement", "Environnement"),
    ("economie", "Économie"),
    ("vie-locale", "Vie locale"),
    ("education", "Éducation"),
]

TAGS = [
    ("tramway", "tramway"),
    ("municipales-2026", "municipales 2026"),
    ("budget", "budget"),
    ("ecoles", "écoles"),
    ("sante", "santé"),
    ("logement", "logement"),
]

# A long "about" text: the hard case of a static page that reads like an article.
ABOUT_PARAGRAPHS = [
    "Ce site est né en 2014, d'une envie simple : raconter la vie publique de notre coin de "
    "campagne autrement qu'en trois lignes dans le journal départemental. Nous sommes une "
    "petite équipe de bénévoles, anciens enseignants, étudiants, retraités de la fonction "
    "publique, qui assistent aux conseils municipaux et en rendent compte.",
    "Nous ne sommes liés à aucun parti ni à aucune liste. Chaque article est relu par deux "
    "membres de l'équipe avant publication, et nous corrigeons nos erreurs en le signalant "
    "en bas de l'article concerné.",
    "Le site ne vit que des dons de ses lecteurs et ne publie aucune publicité. Les comptes "
    "de l'association sont présentés chaque année lors de l'assemblée générale, ouverte à "
    "toutes et à tous.",
    "Vous pouvez nous proposer un sujet, nous signaler une erreur ou rejoindre l'équipe en "
    "écrivant à l'adresse indiquée en bas de page. Nous répondons à tous les messages, "
    "parfois avec un peu de retard.",
]

LEGAL_PARAGRAPHS = [
    "Directeur de la publication : le président de l'association. Hébergement : un "
    "hébergeur associatif situé en France, dont les coordonnées sont disponibles sur demande.",
    "Conformément au règlement général sur la protection des données, vous disposez d'un "
    "droit d'accès, de rectification et d'effacement des données vous concernant.",
    "Ce site utilise uniquement des cookies nécessaires à son fonctionnement et une mesure "
    "d'audience anonymisée, exemptée de consentement.",
]

LIVE_ENTRIES = [
    ("20 h 02", "Les bureaux de vote ferment, le dépouillement commence."),
    (
        "20 h 17",
        "Premier bureau dépouillé à Lérac : la liste citoyenne en tête, à la surprise générale.",
    ),
    (
        "20 h 35",
        "Affluence record à la salle des fêtes, où les résultats sont projetés sur grand écran.",
    ),
    (
        "20 h 51",
        "Le maire sortant reconnaît « une soirée difficile » mais attend les bureaux du centre.",
    ),
    (
        "21 h 10",
        "Quatre bureaux sur sept dépouillés : écart de 41 voix entre les deux premières listes.",
    ),
    ("21 h 32", "Claire Martin arrive sous les applaudissements de ses soutiens."),
    ("21 h 48", "Tous les bureaux sont dépouillés. Un second tour aura lieu dimanche prochain."),
]
