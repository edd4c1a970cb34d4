T = {
    # The respondent's refusal pages.
    "Your answers were not sent": "Sus respuestas no se enviaron",
    "Please open your survey link again": "Abra de nuevo el enlace de su encuesta",
    "Answers from this survey page had already been submitted once, with different answers, so the answers you just gave were not sent and nothing of them was stored.": "Desde esta página de la encuesta ya se habían enviado respuestas una vez, con respuestas diferentes, así que las respuestas que acaba de dar no se enviaron y no se guardó nada de ellas.",
    "To take the survey, open the survey link you were sent again and start from the beginning. A personal link that has already been used cannot be used again: if that is yours, ask the person who sent it for a new one.": "Para responder la encuesta, abra de nuevo el enlace que le enviaron y comience desde el principio. Un enlace personal que ya se usó no puede volver a usarse: si es el suyo, pida uno nuevo a la persona que se lo envió.",
    "This survey page works only in the browser where you opened your survey link, for up to seven days, and ends when you submit your answers.": "Esta página de la encuesta solo funciona en el navegador donde abrió el enlace de su encuesta, durante un máximo de siete días, y termina cuando envía sus respuestas.",
    "To go on, open the survey link you were sent again (from your email or message). If you already saw the page thanking you for your answers, they were saved and there is nothing more to do.": "Para continuar, abra de nuevo el enlace de la encuesta que le enviaron (desde su correo electrónico o mensaje). Si ya vio la página que le agradece sus respuestas, estas se guardaron y no tiene que hacer nada más.",
    # Short names of the questions about the respondent ("Role" and "Unit" are campaign's).
    "Time at this organization": "Tiempo en esta organización",
    "Career stage": "Etapa de la carrera",
    "Work setting": "Entorno de trabajo",
    "Work schedule": "Horario de trabajo",
    # The feedback page.
    "Possible range %(low)s to %(high)s. Higher scores are better.": "Rango posible de %(low)s a %(high)s. Las puntuaciones más altas son mejores.",
    "Possible range %(low)s to %(high)s. Higher scores mean more difficulty.": "Rango posible de %(low)s a %(high)s. Las puntuaciones más altas indican más dificultad.",
    "Possible range %(low)s to %(high)s.": "Rango posible de %(low)s a %(high)s.",
    "Unverified cut-off": "Punto de corte sin verificar",
    "This cut-off could not be checked against its published source; read it with caution.": "No se pudo comprobar este punto de corte con su fuente publicada; interprételo con cautela.",
    "Resources for what your answers point to": "Recursos para lo que indican sus respuestas",
    "Chosen from the knowledge hub for the areas of the National Plan your results point to. The choice is made on this page only: it is not stored.": "Elegidos del centro de conocimiento para las áreas del Plan Nacional que indican sus resultados. La elección se hace solo en esta página: no se guarda.",
    "More support": "Más apoyo",
    "call or text 988, or chat online; free, confidential, 24/7.": "llame o envíe un mensaje de texto al 988, o chatee en línea; gratuita, confidencial, las 24 horas, los 7 días de la semana.",
    "research, toolkits and personal stories on clinician burnout and what helps.": "investigaciones, herramientas e historias personales sobre el agotamiento profesional de los clínicos y lo que ayuda (en inglés).",
    "what health systems, leaders and others can do, in seven priority areas.": "lo que pueden hacer los sistemas de salud, los líderes y otros actores, en siete áreas prioritarias (en inglés).",
    "a model of the individual and work factors that drive burnout.": "un modelo de los factores individuales y laborales que causan el agotamiento profesional (en inglés).",
    # The invitation and reminder mail.
    "Reminder: %(org)s invites you to an anonymous survey: %(survey)s": "Recordatorio: %(org)s le invita a una encuesta anónima: %(survey)s",
    "%(org)s invites you to an anonymous survey: %(survey)s": "%(org)s le invita a una encuesta anónima: %(survey)s",
    'A reminder: %(org)s invites you to answer "%(survey)s", a short survey about your well-being at work. If you have answered already, thank you, and please ignore this message.': "Un recordatorio: %(org)s le invita a responder «%(survey)s», una encuesta breve sobre su bienestar en el trabajo. Si ya respondió, gracias; no tenga en cuenta este mensaje.",
    '%(org)s invites you to answer "%(survey)s", a short survey about your well-being at work.': "%(org)s le invita a responder «%(survey)s», una encuesta breve sobre su bienestar en el trabajo.",
    "The survey is anonymous. The link below is personal only so that it can be used once and nobody can answer twice. Your answers are never linked to your email address or to this link, and %(org)s sees only results of groups.": "La encuesta es anónima. El enlace de abajo es personal solo para que pueda usarse una vez y nadie responda dos veces. Sus respuestas nunca se vinculan con su dirección de correo electrónico ni con este enlace, y %(org)s solo ve resultados de grupos.",
    "Your personal link (please do not forward it):": "Su enlace personal (no lo reenvíe):",
    "F j, Y, g:i A T": "j \\d\\e F \\d\\e Y, H:i T",
    "The survey closes on %(closes)s.": "La encuesta se cierra el %(closes)s.",
    "If you are in crisis, call or text 988 (the 988 Suicide & Crisis Lifeline, free and available 24/7). In an emergency, call 911.": "Si está en crisis, llame o envíe un mensaje de texto al 988 (la 988 Suicide & Crisis Lifeline, gratuita y disponible las 24 horas, los 7 días de la semana). En una emergencia, llame al 911.",
    "You receive this message because %(org)s asked the Health Workforce Well-Being platform to invite you. Your address is deleted when the survey closes.": "Recibe este mensaje porque %(org)s pidió a la plataforma Health Workforce Well-Being que le invitara. Su dirección se elimina cuando se cierra la encuesta.",
}
P: dict[str, tuple[str, str]] = {}
