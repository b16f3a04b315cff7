"""English documents: an RFP, a grant form, minutes, a thesis, a cover letter, a manual, a survey
report laid out with formatting only, a contract, a notice typed all in bold and a newsletter.

Not headings, though short and often bold: title pages, label: value lines, numbered lists of
short items, typed tables of contents, "Page 3 of 9" lines left over from a PDF, "Note:" and
"Action:" lead-ins, captions, equations, signature, date and address blocks, poems.
"""

from __future__ import annotations

from documents.tests.unstyled.case import Case, generated
from documents.tests.unstyled.docbuild import Doc, Para, blank, h, lead, p, r, runs, table, toc

# ----------------------------------------------------------------------------- request for proposals


def _page_of(number: int, total: int) -> Para:
    """A page footer left in the body by a PDF-to-Word conversion."""
    return p(f"Page {number} of {total}", size=9, center=True)


def en_rfp() -> Doc:
    def major(text: str) -> Para:
        return h(text, before=12, after=6)

    def minor(text: str) -> Para:
        return h(text, before=6)

    return Doc(
        font="Arial",
        size=11,
        blocks=(
            p("REQUEST FOR PROPOSALS", size=16, bold=True, center=True),
            p("RFP No. 2024-017", center=True),
            p(
                "Website Redesign and Content Management System Implementation",
                size=14,
                bold=True,
                center=True,
            ),
            p("Issued by: Harbor County Public Library District", center=True),
            p("Issue date: March 4, 2024", center=True),
            p("Proposal due date: April 5, 2024, 3:00 p.m. Pacific Time", center=True, after=12),
            _page_of(1, 6),
            major("1. INTRODUCTION"),
            p(
                "The Harbor County Public Library District (the District) invites qualified firms to submit "
                "proposals to redesign its public website and to implement a modern, accessible content "
                "management system (CMS) that library staff can maintain without specialist help."
            ),
            p(
                "The current website was built in 2014 on a custom platform that is no longer supported. "
                "It does not meet current accessibility standards and is difficult to use on mobile devices, "
                "which now account for 61 percent of visits."
            ),
            minor("1.1 About the District"),
            p(
                "The District serves 142,000 residents through a central library, seven branches and a "
                "bookmobile. In 2023 it recorded 1.1 million visits and 2.4 million checkouts, and its "
                "website "
                "received 780,000 sessions."
            ),
            minor("1.2 Purpose of this RFP"),
            p(
                "This RFP describes the services required, the information proposers must provide and the "
                "process the District will use to select a vendor. The District intends to award a single "
                "contract for design, implementation, migration, training and first-year support."
            ),
            major("2. SCHEDULE"),
            table(
                ("Event", "Date"),
                ("RFP issued", "March 4, 2024"),
                ("Deadline for written questions", "March 15, 2024"),
                ("Answers posted", "March 22, 2024"),
                ("Proposals due", "April 5, 2024, 3:00 p.m."),
                ("Vendor presentations (shortlist only)", "April 22-24, 2024"),
                ("Contract start", "June 1, 2024"),
            ),
            _page_of(2, 6),
            major("3. SCOPE OF WORK"),
            p("The selected vendor will deliver the following:"),
            p("1. Discovery report and site map"),
            p("2. Visual design for desktop and mobile"),
            p("3. CMS configuration and templates"),
            p("4. Migration of existing content"),
            p("5. Staff training"),
            p("6. Twelve months of support"),
            minor("3.1 Technical requirements"),
            p(
                "The CMS must be hosted by the vendor or on a major cloud platform, support single sign-on "
                "with the District's Microsoft 365 accounts, and integrate with the District's catalogue "
                "(Polaris ILS) and events calendar (LibCal) through their published APIs."
            ),
            lead(
                "Note: ",
                "the District will not accept proposals that require library staff to edit HTML or "
                "templates to publish routine content such as news items and event listings.",
            ),
            minor("3.2 Accessibility"),
            p(
                "All pages, templates and documents produced under the contract must conform to WCAG 2.1 "
                "Level AA. The vendor will provide an accessibility audit report before launch and correct "
                "any issues found at no additional cost."
            ),
            _page_of(3, 6),
            major("4. PROPOSAL FORMAT AND CONTENT"),
            p("Proposals must include the following sections, in this order:"),
            p("a. Cover letter"),
            p("b. Company profile and references"),
            p("c. Approach and work plan"),
            p("d. Project team"),
            p("e. Cost proposal"),
            p(
                "Proposals should not exceed 30 pages, excluding resumes and sample work, and must be "
                "submitted "
                "as a single PDF file by email."
            ),
            major("5. EVALUATION CRITERIA"),
            table(
                ("Criterion", "Weight"),
                ("Understanding of requirements and approach", "30%"),
                ("Experience with public library or government websites", "25%"),
                ("Qualifications of the project team", "15%"),
                ("Cost", "30%"),
            ),
            _page_of(4, 6),
            major("6. GENERAL TERMS AND CONDITIONS"),
            minor("6.1 Public records"),
            p(
                "Proposals become the property of the District and are subject to the Washington Public "
                "Records "
                "Act. Proposers must clearly mark any pages they consider exempt from disclosure."
            ),
            minor("6.2 Insurance"),
            p(
                "The selected vendor must maintain commercial general liability insurance of at least "
                "$1,000,000 per occurrence and professional liability insurance of at least $1,000,000 "
                "for the duration of the contract."
            ),
            _page_of(5, 6),
            major("7. QUESTIONS AND CONTACT"),
            p(
                "All questions must be submitted in writing by email no later than March 15, 2024. Answers "
                "will "
                "be posted on the District's procurement page. Proposers must not contact other District "
                "staff "
                "or board members about this RFP."
            ),
            p("Maria Gonzalez", before=6),
            p("Procurement Officer"),
            p("Harbor County Public Library District"),
            p("1200 Bayview Avenue, Port Merrin, WA 98370"),
            p("procurement@hcpld.example.org"),
            _page_of(6, 6),
        ),
    )


# ----------------------------------------------------------------------------- grant application form


def en_form() -> Doc:
    def section(text: str) -> Para:
        return h(text, size=12, before=12, after=4)

    return Doc(
        font="Arial",
        size=10,
        blocks=(
            p("Millbrook District Council", size=12, center=True),
            p("Community Arts Grant Application Form 2024", size=16, bold=True, center=True, after=6),
            p(
                "Please complete all sections. Incomplete applications will not be considered. "
                "Read the guidance notes before you start.",
                italic=True,
            ),
            section("Section A: Applicant details"),
            table(
                ("Name of organisation", "Riverside Voices Community Choir"),
                ("Contact name", "Aisha Rahman"),
                ("Position in organisation", "Secretary"),
                ("Address", "14 Mill Lane, Millbrook, MB4 7QT"),
                ("Telephone", "01632 960 771"),
                ("Email", "secretary@riversidevoices.example.org"),
                ("Registered charity number (if any)", "1187654"),
                bold_header=False,
            ),
            section("Section B: Project information"),
            p("Project title: Voices of the Riverside Estate"),
            p("Project start date: 1 September 2024"),
            p("Project end date: 28 February 2025"),
            p("Describe your project in no more than 200 words:"),
            p(
                "We will run a six-month oral history and song-writing project with residents of the "
                "Riverside "
                "estate, many of whom have lived there since it was built in 1968. Volunteers will record "
                "interviews with twenty older residents, and our musical director will work with local "
                "school "
                "pupils and choir members to turn their stories into six new songs."
            ),
            p(
                "The project will end with a free concert in the community hall and a short booklet of the "
                "interviews, which will be given to the library and to every participant."
            ),
            p("How many people will take part, and who are they?"),
            p(
                "About 20 older residents as interviewees, 15 pupils from Millbrook Primary School, and "
                "our 38 "
                "choir members. We expect an audience of around 150 for the final concert."
            ),
            section("Section C: Budget"),
            table(
                ("Item", "Amount (£)"),
                ("Musical director fees (24 sessions)", "1,800"),
                ("Recording equipment hire", "350"),
                ("Hall hire for workshops and concert", "620"),
                ("Printing of booklet (300 copies)", "480"),
                ("Volunteer expenses", "150"),
                ("Total requested", "3,400"),
            ),
            section("Section D: Supporting documents"),
            p("Please tick to show which documents you have attached:"),
            p("☒ Constitution or set of rules"),
            p("☒ Latest annual accounts"),
            p("☒ Two letters of support"),
            p("☐ Quotes for items over £500"),
            section("Section E: Declaration"),
            p(
                "I confirm that the information given in this application is correct and that I am "
                "authorised "
                "to apply on behalf of the organisation. I understand that the grant must be used only for "
                "the "
                "project described and that the Council may ask for evidence of spending."
            ),
            p("Signature: ______________________________", before=12),
            p("Name: Aisha Rahman"),
            p("Date: 14 May 2024"),
            blank(),
            table(
                ("For office use only", "", ""),
                ("Reference no.", "Date received", "Officer"),
                ("", "", ""),
            ),
        ),
    )


# ----------------------------------------------------------------------------- committee minutes


def en_minutes() -> Doc:
    def item(text: str) -> Para:
        return h(text, before=10)

    return Doc(
        font="Calibri",
        size=11,
        blocks=(
            p("Riverside Tenants' Association", size=14, bold=True, center=True),
            p("Minutes of the Committee Meeting", size=13, bold=True, center=True),
            p(
                "held on Tuesday 9 April 2024 at 7.00 pm in the Riverside Community Hall",
                italic=True,
                center=True,
                after=12,
            ),
            lead(
                "Present: ",
                "Janet Brooks (Chair), Samuel Osei (Treasurer), Linda Park (Secretary), Tom Wyatt, "
                "Farida Haidari, Kevin Doyle",
            ),
            lead("Apologies: ", "Rosa Lima, Peter Quinn"),
            lead("In attendance: ", "Gareth Price (Housing Officer, Millbrook Homes)"),
            item("1. Welcome and apologies"),
            p(
                "The Chair welcomed everyone, and in particular Gareth Price from Millbrook Homes, who had "
                "been "
                "invited for item 5. Apologies were noted as above."
            ),
            item("2. Minutes of the previous meeting"),
            p(
                "The minutes of the meeting held on 12 March 2024 were agreed as a correct record, subject "
                "to "
                "one correction: item 4 should read that the lift in Block C was out of service for nine "
                "days, "
                "not five."
            ),
            lead("Action: ", "Secretary to amend the March minutes and circulate."),
            item("3. Matters arising"),
            p(
                "The new noticeboard for Block A has been installed. The residents' survey closed on 31 "
                "March "
                "with 112 responses, and the results will be presented at the next meeting."
            ),
            item("4. Treasurer's report"),
            p("Samuel Osei presented the accounts for the first quarter of the year."),
            table(
                ("", "£"),
                ("Balance brought forward, 1 January", "2,846.20"),
                ("Income (subscriptions, fun day grant)", "1,350.00"),
                ("Expenditure (hall hire, printing, insurance)", "-612.45"),
                ("Balance, 31 March", "3,583.75"),
            ),
            p(
                "The committee thanked the Treasurer. It was noted that the insurance renewal had risen by "
                "14 percent and that quotes from other insurers should be obtained before next year."
            ),
            item("5. Repairs and maintenance"),
            p(
                "Gareth Price reported that the contract for replacing the door-entry system in Blocks B "
                "and C "
                "had been awarded and that work would start on 6 May. Residents would receive letters two "
                "weeks "
                "beforehand with new fobs."
            ),
            p(
                "Members raised continuing problems with damp in ground-floor flats in Block D. Gareth "
                "agreed to "
                "arrange surveys of the six flats affected and to report back in writing."
            ),
            lead("Action: ", "Gareth Price to arrange damp surveys and report by 10 May."),
            item("6. Summer fun day"),
            p(
                "The fun day will take place on Saturday 13 July on the green. Farida Haidari and Kevin "
                "Doyle "
                "will coordinate volunteers. The council has confirmed a grant of £500 towards the cost."
            ),
            item("7. Any other business"),
            p(
                "Tom Wyatt asked whether the association could support a community garden on the unused land "
                "behind Block A. It was agreed to add this to the agenda of the next meeting."
            ),
            item("8. Date of next meeting"),
            p("The next meeting will be held on Tuesday 14 May 2024 at 7.00 pm in the Community Hall."),
            p("Signed: ..............................................  (Chair)", before=24),
            p("Date: .................................................."),
        ),
    )


# ----------------------------------------------------------------------------- master's thesis


def en_thesis() -> Doc:
    def chapter(label: str, caption: str) -> list[Para]:
        """ "Chapter 1" over "Introduction": the label is the heading, the caption is not."""
        return [
            h(label, size=16, center=True, page_break=True, before=24),
            p(caption, bold=True, size=16, center=True, after=18),
        ]

    def section(text: str) -> Para:
        return h(text, size=13, before=12, after=6)

    def body(text: str) -> Para:
        return p(text, justify=True, indent=18)

    return Doc(
        font="Times New Roman",
        size=12,
        blocks=(
            p("Groundwater Recharge under Changing Land Use", size=20, bold=True, center=True, before=72),
            p("Evidence from the Upper Kessel Basin", size=14, center=True, after=36),
            p(
                "A thesis submitted in partial fulfilment of the requirements for the degree of "
                "Master of Science in Hydrology",
                center=True,
                after=24,
            ),
            p("by", center=True),
            p("Daniel Okafor", size=14, center=True, after=24),
            p("Department of Earth Sciences", center=True),
            p("University of Northbridge", center=True),
            p("September 2023", center=True),
            h("Abstract", size=14, center=True, page_break=True, after=12),
            body(
                "Groundwater supplies more than half of the drinking water in the Upper Kessel Basin, yet "
                "the "
                "basin has lost a fifth of its grassland to arable farming and housing since 1990. This "
                "thesis "
                "estimates how these land-use changes have altered diffuse groundwater recharge."
            ),
            body(
                "A daily soil water balance model was calibrated against lysimeter and river flow records "
                "and "
                "run for land-use maps of 1990 and 2020. Mean annual recharge fell by 11 percent over the "
                "basin, "
                "and by up to 34 percent in sub-catchments with the largest growth in sealed surfaces."
            ),
            h("Acknowledgements", size=14, center=True, page_break=True, after=12),
            body(
                "I am grateful to my supervisor, Dr Helen Marsh, for her patience and advice, and to the "
                "Kessel "
                "Valley Water Company for access to its borehole records. Fieldwork would not have been "
                "possible without the landowners who allowed access to their fields."
            ),
            p("Table of Contents", bold=True, size=14, center=True, page_break=True, after=12),
            toc("Abstract", "ii"),
            toc("Acknowledgements", "iii"),
            toc("Chapter 1 Introduction", "1"),
            toc("1.1 Background", "1", left=12),
            toc("1.2 Research questions", "3", left=12),
            toc("Chapter 2 Study Area and Data", "5"),
            toc("Chapter 3 Methods", "12"),
            toc("Chapter 4 Results and Discussion", "19"),
            toc("Chapter 5 Conclusions", "31"),
            toc("References", "34"),
            toc("Appendix A Field Sampling Protocol", "38"),
            *chapter("Chapter 1", "Introduction"),
            p("“Water is the driving force of all nature.”", italic=True, center=True),
            p("— Leonardo da Vinci", italic=True, right=True, after=12),
            section("1.1 Background"),
            body(
                "Diffuse recharge, the water that drains below the root zone across the landscape, is the "
                "main "
                "source of replenishment for unconfined aquifers in temperate climates. Its rate depends on "
                "rainfall, evaporation and the way the land surface is covered and managed."
            ),
            body(
                "Converting grassland to arable land changes the timing of evaporation and the soil's "
                "capacity "
                "to store water, while sealing the surface with roofs and roads diverts rainfall to drains. "
                "Both effects have been studied separately, but rarely together at basin scale."
            ),
            section("1.2 Research questions"),
            body("This thesis addresses three questions:"),
            p("(1) How has land use in the Upper Kessel Basin changed between 1990 and 2020?", left=18),
            p("(2) How large is the resulting change in diffuse recharge?", left=18),
            p("(3) Which sub-catchments are most affected, and why?", left=18),
            section("1.3 Thesis outline"),
            body(
                "Chapter 2 describes the study area and the data used. Chapter 3 sets out the water balance "
                "model and its calibration, Chapter 4 presents and discusses the results, and Chapter 5 "
                "summarises the conclusions and their implications for water resource planning."
            ),
            *chapter("Chapter 2", "Study Area and Data"),
            section("2.1 The Upper Kessel Basin"),
            body(
                "The basin covers 412 square kilometres of rolling chalk downland. Mean annual rainfall is "
                "780 mm, and the chalk aquifer is unconfined over most of the area. Land-use classes and "
                "their "
                "extent in the two years studied are given in Table 2.1."
            ),
            p("Table 2.1 Land-use classes, 1990 and 2020", italic=True, center=True),
            table(
                ("Land use", "1990 (km²)", "2020 (km²)"),
                ("Permanent grassland", "186", "148"),
                ("Arable", "159", "181"),
                ("Woodland", "41", "43"),
                ("Urban and sealed", "26", "40"),
            ),
            section("2.2 Data sources"),
            body(
                "Daily rainfall was taken from eleven gauges operated by the national meteorological "
                "service, "
                "and potential evaporation from the MORECS dataset. River flows were obtained from two "
                "gauging "
                "stations, and groundwater levels from 23 observation boreholes."
            ),
            *chapter("Chapter 3", "Methods"),
            section("3.1 Water-balance model"),
            body(
                "Recharge was computed on a 1 km grid with a daily soil moisture deficit model. For each "
                "cell "
                "and day, recharge R is the residual of the water balance:"
            ),
            p("R = P − ET − Q − ΔS     (3.1)", center=True),
            body(
                "where P is rainfall, ET actual evaporation, Q runoff and ΔS the change in soil moisture "
                "storage. Runoff from sealed surfaces was assumed to reach the river network directly."
            ),
            section("3.2 Calibration"),
            body(
                "The model was calibrated against drainage measured at two lysimeters from 2005 to 2015 and "
                "validated against baseflow separated from the river flow records, giving a Nash-Sutcliffe "
                "efficiency of 0.81 for monthly baseflow."
            ),
            *chapter("Chapter 4", "Results and Discussion"),
            section("4.1 Changes in recharge"),
            body(
                "Mean annual recharge over the basin fell from 262 mm in the 1990 land-use scenario to 233 "
                "mm in "
                "the 2020 scenario. The largest reductions occurred around the growing towns of Kesselford "
                "and "
                "Amberley, where sealed surfaces doubled."
            ),
            p("Figure 4.1 Mean annual recharge by sub-catchment", italic=True, center=True),
            section("4.2 Limitations"),
            body(
                "The model does not represent recharge from soakaways and leaking water mains, which may "
                "offset "
                "part of the loss in urban areas. The results for urban sub-catchments are therefore an "
                "upper "
                "estimate of the reduction."
            ),
            *chapter("Chapter 5", "Conclusions"),
            body(
                "Land-use change since 1990 has reduced diffuse recharge in the Upper Kessel Basin by "
                "about a "
                "tenth, with much larger local losses where towns have grown. Planning policy should require "
                "sustainable drainage that returns roof runoff to the ground in the most affected areas."
            ),
            h("References", size=14, center=True, page_break=True, after=12),
            p(
                "Allen, R. G., Pereira, L. S., Raes, D. and Smith, M. (1998). Crop Evapotranspiration: "
                "Guidelines for Computing Crop Water Requirements. FAO Irrigation and Drainage Paper 56. "
                "Rome: FAO."
            ),
            p(
                "Marsh, H. and Ellison, J. (2017). Recharge beneath urban surfaces in a chalk catchment. "
                "Journal of Applied Hydrogeology, 12(3), 201–219."
            ),
            h("Appendix A", size=14, center=True, page_break=True),
            p("Field Sampling Protocol", bold=True, size=14, center=True, after=12),
            body(
                "Soil moisture was measured fortnightly at 0.1 m intervals to a depth of 1 m with a neutron "
                "probe. Access tubes were installed at three points in each monitored field."
            ),
        ),
    )


# ----------------------------------------------------------------------------- cover letter (no headings)


def en_letter() -> Doc:
    return Doc(
        font="Calibri",
        size=11,
        blocks=(
            p("Priya Natarajan", size=14, bold=True),
            p("42 Elm Grove, Leeds LS6 2AB"),
            p("priya.natarajan@example.com | 07700 900123", after=12),
            p("15 March 2024", after=12),
            p("Ms Helen Carter"),
            p("Head of Recruitment"),
            p("Northbridge Housing Trust"),
            p("3 Wellington Place"),
            p("Leeds LS1 4AP", after=12),
            p("Dear Ms Carter,"),
            p("Re: Community Engagement Officer (ref. NHT/0324)", bold=True),
            p(
                "I am writing to apply for the post of Community Engagement Officer advertised on your "
                "website. "
                "For the past four years I have worked as a tenant participation assistant at Aire Valley "
                "Homes, "
                "where I support 14 residents' groups across the east of the city."
            ),
            p(
                "In that role I set up a digital panel of 600 tenants, which the landlord now consults on "
                "every "
                "major service change, and I organised the first estate-wide repairs forum, which led to a "
                "new "
                "appointment system for gas safety checks. I enjoy turning residents' concerns into "
                "changes that "
                "they can see, and I am comfortable presenting to both tenants and senior managers."
            ),
            p(
                "I am particularly drawn to Northbridge's plans for neighbourhood panels, described in your "
                "2023 annual report. I would welcome the chance to help build them, and I believe my "
                "experience "
                "of recruiting and training volunteers would be useful from the start."
            ),
            p(
                "I enclose my CV and the names of two referees. I am available for interview at any time and "
                "could start after giving one month's notice. Thank you for considering my application."
            ),
            p("Yours sincerely,", before=12),
            p("Priya Natarajan", before=24),
            p("Enc. CV and two references", before=12),
        ),
    )


# ----------------------------------------------------------------------------- user manual


def en_manual() -> Doc:
    def section(text: str) -> Para:
        return h(text, size=14, before=18, after=6)

    def step(text: str) -> Para:
        return h(text, size=11, before=8)

    return Doc(
        font="Arial",
        size=10,
        blocks=(
            p("AquaPure 300", size=24, bold=True, center=True),
            p("Countertop Water Filter", size=16, center=True),
            p("User Manual", size=16, center=True),
            p("Model AP-300 | Manual version 2.1", size=8, center=True, after=18),
            section("IMPORTANT SAFETY INSTRUCTIONS"),
            p("READ AND SAVE THESE INSTRUCTIONS", bold=True, center=True),
            p("•\tConnect the filter to the cold water supply only. Hot water will damage the cartridge."),
            p("•\tDo not use with water that is microbiologically unsafe without adequate disinfection."),
            p("•\tKeep the filter out of direct sunlight and away from freezing temperatures."),
            section("What's in the box"),
            p("1 × filter housing"),
            p("1 × AP-300 filter cartridge"),
            p("1 × diverter valve with 3 tap adapters"),
            p("1 × 1.5 m connecting hose"),
            p("This manual"),
            section("Installation"),
            p(
                "Installation takes about ten minutes and needs no tools. Check that your tap has a "
                "removable "
                "aerator: most kitchen taps do, but some pull-out and spray taps cannot be used."
            ),
            step("Step 1: Attach the diverter valve"),
            p(
                "Unscrew the aerator from the end of your tap. Choose the adapter that fits the thread, "
                "screw "
                "it onto the tap, then push the diverter valve onto the adapter until it clicks."
            ),
            step("Step 2: Connect the hose"),
            p(
                "Push one end of the hose onto the outlet of the diverter valve and the other onto the inlet "
                "of the filter housing, marked IN. Make sure both ends are pushed fully home."
            ),
            lead("Note: ", "the hose can be shortened with scissors if the filter stands close to the sink."),
            step("Step 3: Flush the new cartridge"),
            p(
                "Turn the diverter lever to FILTER and run cold water through the filter for five minutes. "
                "The first water may be cloudy or contain fine black particles of carbon; this is normal."
            ),
            lead("CAUTION: ", "do not drink the water from the first five minutes of flushing."),
            section("Daily use"),
            p(
                "Turn the lever to FILTER for drinking and cooking water, and back to TAP for washing up. "
                "Filtered water flows at about 1.5 litres per minute; a higher flow does not improve "
                "filtering "
                "and shortens the life of the cartridge."
            ),
            section("Replacing the cartridge"),
            p(
                "The cartridge lasts for about 750 litres or six months, whichever comes first. The "
                "indicator "
                "on the housing turns red when a replacement is due."
            ),
            p(
                "To replace it, turn the lever to TAP, unscrew the housing anticlockwise, remove the old "
                "cartridge and insert the new one. Flush the new cartridge as described in Step 3."
            ),
            section("Troubleshooting"),
            table(
                ("Problem", "Possible cause", "Solution"),
                (
                    "Water leaks at the tap",
                    "Wrong adapter or adapter loose",
                    "Try the other adapters; tighten by hand",
                ),
                ("Very low flow", "Cartridge blocked", "Replace the cartridge"),
                ("Water tastes of chlorine", "Cartridge exhausted", "Replace the cartridge"),
            ),
            section("Specifications"),
            table(
                ("Capacity", "750 litres"),
                ("Flow rate", "1.5 litres per minute"),
                ("Operating pressure", "1-6 bar"),
                ("Water temperature", "4-30 °C"),
                bold_header=False,
            ),
            section("Warranty"),
            p(
                "The filter housing is guaranteed against defects in materials and workmanship for two years "
                "from the date of purchase. Cartridges are consumables and are not covered. Keep your "
                "receipt "
                "as proof of purchase."
            ),
            p("Clearwell Home Products Ltd", before=18),
            p("Unit 5, Riverside Business Park"),
            p("Bristol BS2 0QT"),
            p("support@clearwell.example.com"),
        ),
    )


# ----------------------------------------------------------------------------- survey report (layout only)


def en_report() -> Doc:
    """No numbering anywhere: headings are shown by bold, size and spacing alone."""

    def major(text: str) -> Para:
        return h(text, size=14, before=18, after=6)

    def minor(text: str) -> Para:
        return h(text, size=11, before=10, after=3)

    return Doc(
        font="Calibri",
        size=11,
        blocks=(
            p("Annual Volunteer Survey 2023", size=22, bold=True, center=True),
            p("Prepared for the Board of Trustees, Greenway Wildlife Trust", italic=True, center=True),
            p("January 2024", center=True, after=18),
            major("Executive summary"),
            p(
                "Four hundred and twelve of our 1,130 active volunteers answered this year's survey, a "
                "response "
                "rate of 36 percent. Overall satisfaction remains high, with 87 percent saying they would "
                "recommend volunteering with the Trust to a friend."
            ),
            p(
                "However, the number of hours given per volunteer fell for the second year running, and "
                "younger "
                "volunteers in particular told us that short notice of task days makes it hard to take part."
            ),
            major("Key findings"),
            minor("Volunteer numbers"),
            table(
                ("", "2021", "2022", "2023"),
                ("Active volunteers", "1,048", "1,096", "1,130"),
                ("Hours given", "61,200", "58,900", "55,400"),
                ("Hours per volunteer", "58", "54", "49"),
            ),
            minor("Motivation and satisfaction"),
            p(
                "The most common reasons for volunteering were to help wildlife (78 percent), to spend time "
                "outdoors (71 percent) and to meet people (44 percent). Satisfaction with training and "
                "with the "
                "support of staff was high, at 91 and 89 percent respectively."
            ),
            minor("Barriers to volunteering"),
            p(
                "Lack of time was the barrier mentioned most often, followed by short notice of task days "
                "and "
                "the difficulty of reaching sites without a car. Several respondents wrote in capitals:"
            ),
            p("WE NEED MORE NOTICE OF TASK DAYS", center=True),
            p(
                "Volunteers under 35 were twice as likely as older volunteers to mention notice and "
                "transport, "
                "which may explain why their hours have fallen fastest."
            ),
            lead(
                "Note: ",
                "figures in this section exclude one-off corporate groups, who are surveyed separately.",
            ),
            major("Methodology"),
            p(
                "The survey ran online from 2 to 30 October 2023, with paper copies available at the three "
                "visitor centres. All volunteers who had given time in the previous twelve months were "
                "invited "
                "by email or post. Responses were anonymous."
            ),
            major("Recommendations"),
            p("1. Publish the task-day calendar at least four weeks in advance."),
            p("2. Pilot a car-sharing scheme for the two most remote reserves."),
            p("3. Offer weekday evening tasks in the summer months for volunteers who work."),
            major("Appendix: Survey questions"),
            p("Q1. How long have you volunteered with the Trust?"),
            p("Q2. Roughly how many hours did you give in the last twelve months?"),
            p("Q3. What are your main reasons for volunteering?"),
        ),
    )


# ----------------------------------------------------------------------------- services agreement


def en_contract() -> Doc:
    def clause(text: str) -> Para:
        return h(text, before=10)

    def sub(text: str) -> Para:
        return p(text, justify=True, left=28)

    return Doc(
        font="Arial",
        size=10,
        blocks=(
            p("SOFTWARE DEVELOPMENT AND SERVICES AGREEMENT", size=14, bold=True, center=True, after=12),
            runs(r("THIS AGREEMENT", bold=True), " is dated 2 May 2024"),
            h("PARTIES", before=10),
            sub(
                "(1) BLUEFIN ANALYTICS LIMITED incorporated and registered in England and Wales with company "
                "number 09876543 whose registered office is at 10 Quay Street, Bristol BS1 4DB (Customer)."
            ),
            sub(
                "(2) NORTHWIND SOFTWARE LTD incorporated and registered in England and Wales with company "
                "number 11223344 whose registered office is at 7 Canal Wharf, Leeds LS11 5PS (Supplier)."
            ),
            h("BACKGROUND", before=10),
            sub(
                "(A) The Customer wishes to commission a web-based platform for managing sensor data from "
                "its "
                "clients' buildings, and the Supplier has the skills and experience to develop it."
            ),
            sub(
                "(B) The parties have agreed that the Supplier will develop the platform and provide support "
                "services on the terms of this Agreement."
            ),
            h("AGREED TERMS", before=10),
            clause("1. INTERPRETATION"),
            sub("1.1 The definitions and rules of interpretation in this clause apply in this Agreement."),
            runs(
                r("Acceptance Tests: ", bold=True),
                "the tests of the Deliverables set out in Schedule 1.",
                left=28,
            ),
            runs(
                r("Charges: ", bold=True),
                "the sums payable for the Services as set out in Schedule 2.",
                left=28,
            ),
            sub("1.2 Clause and schedule headings shall not affect the interpretation of this Agreement."),
            clause("2. COMMENCEMENT AND DURATION"),
            sub(
                "2.1 This Agreement shall commence on the date it is signed and shall continue until the "
                "end of "
                "the Support Period, unless terminated earlier in accordance with clause 8."
            ),
            clause("3. SUPPLIER'S RESPONSIBILITIES"),
            sub(
                "3.1 The Supplier shall develop the Deliverables in accordance with the Specification and "
                "use "
                "reasonable endeavours to meet the milestone dates set out in Schedule 1."
            ),
            sub(
                "3.2 The Supplier shall appoint a project manager who shall have authority to contractually "
                "bind the Supplier on all matters relating to the Services."
            ),
            clause("4. CHARGES AND PAYMENT"),
            sub(
                "4.1 In consideration of the provision of the Services, the Customer shall pay the Charges "
                "in "
                "the instalments set out in Schedule 2, within 30 days of receipt of a valid invoice."
            ),
            sub(
                "4.2 All amounts payable under this Agreement are exclusive of VAT, which shall be added "
                "at the "
                "prevailing rate."
            ),
            clause("5. INTELLECTUAL PROPERTY"),
            sub(
                "5.1 The Supplier assigns to the Customer, with full title guarantee, all intellectual "
                "property "
                "rights in the Deliverables, with effect from payment in full of the relevant instalment."
            ),
            clause("6. CONFIDENTIALITY"),
            sub(
                "6.1 Each party undertakes that it shall not at any time disclose to any person any "
                "confidential "
                "information concerning the business, affairs, customers or suppliers of the other party."
            ),
            clause("7. LIMITATION OF LIABILITY"),
            sub(
                "7.1 Subject to clause 7.2, the Supplier's total liability in contract, tort or otherwise "
                "arising "
                "in connection with this Agreement shall not exceed the total Charges paid in the preceding "
                "twelve months."
            ),
            clause("8. TERMINATION"),
            sub(
                "8.1 Either party may terminate this Agreement with immediate effect by giving written "
                "notice if "
                "the other party commits a material breach which is not remedied within 30 days of notice."
            ),
            clause("9. GOVERNING LAW"),
            sub(
                "9.1 This Agreement and any dispute arising out of it shall be governed by the law of "
                "England "
                "and Wales."
            ),
            p("This Agreement has been entered into on the date stated at the beginning of it.", before=10),
            h("SCHEDULE 1", center=True, page_break=True),
            p("Deliverables and Milestones", bold=True, center=True, after=6),
            table(
                ("Milestone", "Deliverable", "Date"),
                ("M1", "Specification and user interface designs", "14 June 2024"),
                ("M2", "Data ingestion and dashboards (beta)", "30 August 2024"),
                ("M3", "Completed platform passing the Acceptance Tests", "29 November 2024"),
            ),
            h("SCHEDULE 2", center=True, before=18),
            p("Charges", bold=True, center=True, after=6),
            table(
                ("Instalment", "Payable on", "Amount (excl. VAT)"),
                ("1", "Signature of this Agreement", "£24,000"),
                ("2", "Completion of M2", "£36,000"),
                ("3", "Completion of M3", "£40,000"),
                ("Support", "Monthly, 12 months from M3", "£2,500 per month"),
            ),
            p(
                "Signed by Thomas Reid, Director, for and on behalf of BLUEFIN ANALYTICS LIMITED",
                before=24,
            ),
            p("......................................."),
            p("Director"),
            p("Signed by Anna Kowalska, Director, for and on behalf of NORTHWIND SOFTWARE LTD", before=18),
            p("......................................."),
            p("Director"),
        ),
    )


# ----------------------------------------------------------------------------- notice typed all in bold


def en_all_bold() -> Doc:
    """Everything is bold (the author pressed Ctrl+B first): headings are the larger capitals."""

    def heading(text: str) -> Para:
        return h(text, size=14, before=12, after=4)

    def body(text: str) -> Para:
        return p(text, bold=True)

    return Doc(
        font="Arial",
        size=12,
        blocks=(
            p("EMERGENCY EVACUATION PROCEDURE", bold=True, size=20, center=True),
            p("Building C – Fenwick Road Offices", bold=True, size=14, center=True, after=12),
            heading("PURPOSE"),
            body(
                "This procedure tells all staff and visitors in Building C what to do if the fire alarm "
                "sounds "
                "or an evacuation is called for any other reason. Everyone must read it and follow it."
            ),
            heading("RAISING THE ALARM"),
            body(
                "If you discover a fire, operate the nearest red call point and, if it is safe to do so, "
                "call 999. Do not try to fight a fire unless you have been trained and it is very small."
            ),
            heading("EVACUATION ROUTES"),
            body(
                "Leave by the nearest safe exit, closing doors behind you. The main stairs and the east "
                "stairs "
                "both lead to ground-floor exits. Walk, do not run, and do not stop to collect belongings."
            ),
            body("DO NOT USE THE LIFTS."),
            heading("ASSEMBLY POINT"),
            body(
                "Go to the assembly point in the staff car park by the bicycle shelter and report to your "
                "fire "
                "warden. Do not leave the assembly point until a warden tells you that you may."
            ),
            heading("PEOPLE NEEDING ASSISTANCE"),
            body(
                "Anyone who may need help to leave the building must have a Personal Emergency Evacuation "
                "Plan. "
                "Refuge points with emergency telephones are on each landing of the east stairs."
            ),
            heading("FIRE WARDENS"),
            table(
                ("Floor", "Warden", "Deputy"),
                ("Ground", "Mark Ellis", "Joanne Pike"),
                ("First", "Asha Mistry", "Luke Barton"),
                ("Second", "Daniel Cho", "Helen Rowe"),
            ),
            heading("AFTER AN EVACUATION"),
            body(
                "Nobody may re-enter the building until the Fire and Rescue Service or the senior fire "
                "warden "
                "says it is safe. Wardens will report any missing people to the fire service on arrival."
            ),
            body("Issued by Facilities Management, March 2024"),
            body("Review date: March 2025"),
        ),
    )


# ----------------------------------------------------------------------------- parish newsletter with a poem


def en_newsletter() -> Doc:
    def heading(text: str) -> Para:
        return h(text, size=13, before=14, after=4)

    def verse(text: str) -> Para:
        return p(text, italic=True, left=36, after=0)

    return Doc(
        font="Georgia",
        size=11,
        blocks=(
            p("The Millbrook Parish Newsletter", size=22, bold=True, center=True),
            p("Spring 2024 · Issue 87", center=True, after=12),
            heading("From the Vicar"),
            p(
                "Dear friends, as the evenings lengthen I want to thank everyone who helped with the Lent "
                "lunches. "
                "Together we raised £1,240 for the food bank, and more than sixty people came to at least "
                "one lunch."
            ),
            p(
                "Easter services are listed in the diary below. Please do come and bring a friend: the "
                "church is "
                "at its most beautiful when it is full of spring flowers and people."
            ),
            p("Revd Sarah Linton", italic=True, right=True),
            heading("Parish Council News"),
            p(
                "The parish council has agreed to resurface the footpath between Church Lane and the school. "
                "Work will take place in the Easter holidays, when the path will be closed for about a week."
            ),
            p(
                "The council is also looking for volunteers to help with the annual litter pick on "
                "Saturday 20 "
                "April. Meet at the village hall at 10 am; gloves, pickers and bags will be provided."
            ),
            heading("Poetry Corner"),
            p(
                "This season's poem, “March in Millbrook”, was sent in by Margaret Hale, who has lived on "
                "Mill Row for sixty years."
            ),
            verse("The lane is loud with rooks again,"),
            verse("the beck runs brown and high,"),
            verse("and someone’s lit a bonfire"),
            verse("beneath a rinsed-out sky."),
            blank(),
            verse("The catkins on the hazel shake"),
            verse("their yellow at the wind"),
            verse("and every garden, gate by gate,"),
            verse("remembers to begin."),
            p("Margaret Hale", italic=True, right=True, before=6),
            heading("Dates for Your Diary"),
            table(
                ("Date", "Event", "Where"),
                ("Sun 31 March", "Easter Day Communion, 10 am", "St Michael's"),
                ("Sat 20 April", "Litter pick, 10 am", "Village hall"),
                ("Fri 3 May", "Quiz night, 7.30 pm", "The Wheatsheaf"),
                ("Sat 18 May", "Plant sale and teas, 2 pm", "Vicarage garden"),
            ),
            heading("Contacts"),
            p("Vicar: Revd Sarah Linton, The Vicarage, Church Lane, 01632 960 412"),
            p("Parish Clerk: Andrew Moss, clerk@millbrook-pc.example.org"),
            p("Newsletter editor: Jean Foster, 3 Mill Row, 01632 960 587"),
        ),
    )


# ----------------------------------------------------------------------------- memo (underlined headings)


def en_memo() -> Doc:
    """Typewriter habits: headings underlined (not bold), blank paragraphs for spacing, tabs."""

    def heading(text: str) -> Para:
        return h(text, bold=False, underline=True)

    return Doc(
        font="Times New Roman",
        size=12,
        blocks=(
            p("MEMORANDUM", bold=True, size=14, center=True),
            blank(),
            p("TO:\tAll department heads"),
            p("FROM:\tJulia Marsh, Finance Director"),
            p("DATE:\t4 March 2024"),
            p("RE:\tChanges to the purchase approval process"),
            p("______________________________________________________________________________"),
            blank(),
            heading("Background"),
            blank(),
            p(
                "Last year the internal auditors found that 14 percent of purchase orders had been raised "
                "after "
                "the goods or services were received, and that approval limits were applied inconsistently "
                "between departments. The Audit Committee has asked us to tighten the process."
            ),
            blank(),
            p(
                "At the same time, many of you have told me that approvals for small, routine purchases take "
                "too long. The changes below are meant to address both points."
            ),
            blank(),
            heading("What is changing"),
            blank(),
            p("1.\tOrders under £500 from an approved supplier no longer need a second signature."),
            p("2.\tOrders between £500 and £10,000 must be approved by the budget holder in the new system."),
            p("3.\tOrders over £10,000 also need the approval of the Finance Director."),
            p("4.\tInvoices without a purchase order number will be returned to the supplier unpaid."),
            blank(),
            heading("When the changes take effect"),
            blank(),
            p(
                "The new rules apply to all orders raised on or after 2 April 2024. Orders already raised "
                "will "
                "be processed under the old rules. Training sessions for budget holders will run during the "
                "week of 18 March; please ask your team administrators to book a place."
            ),
            blank(),
            heading("Questions"),
            blank(),
            p(
                "Please contact Amir Haddad in the Finance team (extension 4471) with any questions, or "
                "raise "
                "them at the heads of department meeting on 12 March."
            ),
            blank(),
            p("JM/ah"),
            p("cc:\tChief Executive; Head of Internal Audit"),
        ),
    )


# ----------------------------------------------------------------------------- incident report


def en_incident() -> Doc:
    """A post-incident review whose section headings are bold words ending in a colon, on their own lines."""

    def heading(text: str) -> Para:
        return h(text, before=10)

    return Doc(
        font="Calibri",
        size=11,
        blocks=(
            p("Post-incident review: checkout outage, 14 February 2024", size=16, bold=True),
            lead("Author: ", "Tomás Rivera (Site Reliability)"),
            lead("Status: ", "Final"),
            lead("Severity: ", "SEV-2"),
            heading("Summary:"),
            p(
                "Between 18:42 and 19:57 UTC on 14 February, 38 percent of checkout attempts on the web shop "
                "failed with a payment error. About 2,900 orders were affected. The cause was an expired TLS "
                "certificate on the connection to our payment provider's fraud-screening endpoint."
            ),
            heading("Timeline:"),
            p("18:42 Certificate expires; error rate on /checkout starts to rise."),
            p("18:51 Alert fires for checkout error rate above 5 percent; on-call engineer paged."),
            p("19:20 Payment provider confirms no incident on their side."),
            p("19:38 Expired certificate identified in the fraud-screening client."),
            p("19:57 New certificate deployed; error rate back to normal."),
            heading("Root cause:"),
            p(
                "The fraud-screening client uses a client certificate that is renewed by hand once a year. "
                "The "
                "renewal reminder was sent to the mailbox of an engineer who left the company in 2023, so "
                "nobody renewed it."
            ),
            p(
                "The certificate's expiry was not monitored, and the client's error messages did not mention "
                "the certificate, which is why diagnosis took 47 minutes after the alert."
            ),
            heading("What went well:"),
            p(
                "The alert fired within nine minutes, and the decision to contact the payment provider early "
                "ruled out an external cause quickly."
            ),
            heading("Actions:"),
            table(
                ("Action", "Owner", "Due"),
                ("Monitor expiry of every client certificate, alerting 30 days ahead", "SRE", "1 March"),
                ("Automate renewal of the fraud-screening certificate", "Payments team", "31 March"),
                ("Send renewal reminders to a team mailbox, not a person", "IT", "1 March"),
            ),
        ),
    )


# ----------------------------------------------------------------------------- FAQ (question headings)


def en_faq() -> Doc:
    """Questions are the section headings: bold, own line, ending in a question mark."""

    def question(text: str) -> Para:
        return h(text, before=10, after=3)

    return Doc(
        font="Arial",
        size=11,
        blocks=(
            p("Council Tax Reduction", size=18, bold=True),
            p("Frequently asked questions", size=14, after=12),
            p(
                "This leaflet answers the questions we are asked most often about Council Tax Reduction. "
                "It is a summary only; the full rules are in the council's Council Tax Reduction Scheme "
                "2024/25."
            ),
            question("What is Council Tax Reduction?"),
            p(
                "Council Tax Reduction helps people on a low income to pay their council tax. It is not a "
                "loan "
                "and does not have to be paid back. It is paid as a reduction on your council tax bill, "
                "not as "
                "money paid to you."
            ),
            question("Who can get it?"),
            p(
                "You may be able to get it if you are responsible for paying council tax on the home you "
                "live in, "
                "your income is low and your savings are below £16,000. Pensioners and people of working age "
                "are assessed under different rules."
            ),
            question("How much will I get?"),
            p(
                "The amount depends on your income, your savings, who lives with you and the council tax "
                "band of "
                "your home. People of working age can get up to 80 percent of their bill; pensioners can "
                "get up "
                "to 100 percent."
            ),
            question("How do I apply?"),
            p(
                "Apply online at www.millbrook.example.gov.uk/ctr. If you cannot apply online, call us on "
                "01632 960 000 and we will complete the form with you over the phone."
            ),
            p("You will need to provide:"),
            p("•\tproof of your income for the last two months"),
            p("•\tbank statements for all your accounts"),
            p("•\tyour National Insurance number"),
            question("What if my circumstances change?"),
            p(
                "You must tell us within 21 days if your income, your household or your address changes. "
                "If you "
                "do not, you may have to repay any reduction you were not entitled to and you may be fined "
                "£50."
            ),
            question("Can I appeal against a decision?"),
            p(
                "Yes. Write to us within one month of the date of the decision explaining why you think it "
                "is "
                "wrong. If we do not change the decision, you can appeal to the Valuation Tribunal."
            ),
            p(
                "Revenues and Benefits Service, Millbrook District Council, Town Hall, Millbrook MB1 1AA",
                size=9,
                before=18,
            ),
        ),
    )


# ----------------------------------------------------------------------------- specification (ISO numbering)


def en_spec() -> Doc:
    """Clauses numbered ISO-style: "1 Scope" (no full stop after the number), a tab after the number."""

    def clause(text: str) -> Para:
        return h(text, size=12, before=14, after=6)

    def subclause(text: str) -> Para:
        return h(text, before=8, after=4)

    return Doc(
        font="Cambria",
        size=11,
        blocks=(
            p("Technical Specification TS 112:2024", size=12, right=True),
            p("Smart electricity meters for domestic premises", size=18, bold=True, before=24),
            p("Requirements for remote reading and load control", size=14, after=24),
            p("Draft for public comment — not for use as a standard", italic=True),
            clause("Foreword"),
            p(
                "This specification was prepared by Technical Committee 12, Metering, of the Northbridge "
                "Standards Institute. It replaces TS 112:2017, which has been technically revised."
            ),
            clause("1\tScope"),
            p(
                "This specification sets out requirements for smart electricity meters installed in domestic "
                "premises with a single-phase supply of up to 100 A, including their communication with the "
                "network operator and their control of switched loads such as water heaters."
            ),
            p("It does not apply to meters for three-phase supplies or for generation export only."),
            clause("2\tNormative references"),
            p(
                "The following documents are referred to in the text in such a way that some or all of their "
                "content constitutes requirements of this document:"
            ),
            p(
                "IEC 62052-11:2020, Electricity metering equipment — General requirements, tests and test "
                "conditions"
            ),
            p("IEC 62053-21:2020, Electricity metering equipment — Particular requirements — Static meters"),
            clause("3\tTerms and definitions"),
            p(
                "For the purposes of this document, a switched load is an appliance whose supply the meter "
                "can "
                "connect or disconnect on instruction, and a load-control window is a period during which "
                "such "
                "instructions may be executed."
            ),
            clause("4\tRequirements"),
            subclause("4.1\tMetrological requirements"),
            p(
                "The meter shall meet accuracy class B of IEC 62053-21 for active energy. Register values "
                "shall "
                "be retained for at least ten years without supply."
            ),
            subclause("4.2\tRemote reading"),
            p(
                "The meter shall provide half-hourly consumption data to the network operator at least "
                "once a "
                "day, and on demand within 60 seconds of a request."
            ),
            p(
                "NOTE\tDaily reading is sufficient for time-of-use tariffs; on-demand reading is used for "
                "fault finding.",
                size=9,
            ),
            subclause("4.3\tLoad control"),
            p(
                "The meter shall execute load-control instructions within the load-control window, with a "
                "random "
                "delay of up to 600 s so that switched loads in one area are not reconnected at once."
            ),
            clause("5\tTesting"),
            p(
                "Type tests shall be carried out on three meters from the first production batch. Routine "
                "tests "
                "of accuracy shall be carried out on every meter before dispatch."
            ),
            clause("Annex A"),
            p("(informative)", center=True),
            p("Example load-control schedule", bold=True, center=True, after=6),
            table(
                ("Window", "Start", "End", "Loads"),
                ("Night", "00:30", "07:30", "Water heater, storage heaters"),
                ("Afternoon boost", "13:00", "16:00", "Water heater"),
            ),
            clause("Bibliography"),
            p("[1]\tOfgem, Smart metering implementation programme: technical specifications, 2019"),
        ),
    )


CASES: list[Case] = [
    generated("en-rfp", "en", "tender", en_rfp),
    generated("en-form", "en", "form", en_form),
    generated("en-minutes", "en", "minutes", en_minutes),
    generated("en-thesis", "en", "thesis", en_thesis),
    generated("en-letter", "en", "letter", en_letter),
    generated("en-manual", "en", "manual", en_manual),
    generated("en-report", "en", "report", en_report),
    generated("en-contract", "en", "contract", en_contract),
    generated("en-all-bold", "en", "notice", en_all_bold),
    generated("en-newsletter", "en", "newsletter", en_newsletter),
    generated("en-memo", "en", "memo", en_memo),
    generated("en-incident", "en", "report", en_incident),
    generated("en-faq", "en", "leaflet", en_faq),
    generated("en-spec", "en", "specification", en_spec),
]
